#!/usr/bin/env bash
# The GPU check in one call, on the device tool's machine (one H200, PyTorch installed, no .NET), after pack.sh here:
#   run(command: "bash build/gpu-kit/run.sh", carry: ["gpu-kit"], timeout_s: 540)
# petseg doctor; the accelerator tests (xunit's console runner); bench train-step --device cuda for the four models at
# batch 16 and 64, fp32/TF32 and bf16; bench lab (the real lab projected); the same models in PyTorch on the same GPU;
# the smoke DAG on cuda and on the CPU, and their reports compared; predict of one model on both, masks compared.
# Everything goes to $OUT/gpu.log (and the two reports, the accelerator tests' xunit XML with each test's output, and shim-link.txt
# listing every symbol TorchSharp's shim misses in that libtorch, when it misses any).
# DEVICE=cpu SIZE=64 STEPS=1 runs the same script, quickly, on a machine without a GPU (PETSEG_LIBTORCH=<a libtorch lib
# folder> where there is no python3 with torch).
set -u
OUT=${OUT:-$(mktemp -d /tmp/gpu-out.XXXX)}
mkdir -p "$OUT"
DEVICE=${DEVICE:-cuda}
STEPS=${STEPS:-10}
SIZE=${SIZE:-224}
repo=$(pwd)
kit=$repo/gpu-kit
[ -f "$kit/petseg.tar.xz" ] || { echo "error: $kit is missing; run bash build/gpu-kit/pack.sh first and carry gpu-kit" >&2; exit 2; }
tmp=$(mktemp -d /tmp/petseg-gpu.XXXX)
tar -xJf "$kit/dotnet.tar.xz" -C "$tmp" && tar -xJf "$kit/petseg.tar.xz" -C "$tmp" && tar -xJf "$kit/tests.tar.xz" -C "$tmp" && tar -xJf "$kit/libstdcxx.tar.xz" -C "$tmp"
export DOTNET_ROOT=$tmp/dotnet PATH=$tmp/dotnet:$PATH DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -z "${PETSEG_LIBTORCH:-}" ]; then
  PETSEG_LIBTORCH=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')" 2>/dev/null) || { echo "error: no PETSEG_LIBTORCH and no python3 with torch" >&2; exit 2; }
fi
export PETSEG_LIBTORCH
shim=$tmp/petseg/runtimes/linux-x64/native/libLibTorchSharp.so
# TorchSharp's shim needs GLIBCXX_3.4.32 (GCC 13's libstdc++): the first of the system's, the Python prefix's (a conda
# environment carries its own) and the one pack.sh carried whose versions all resolve there. Only petseg and the tests
# get it (LD_LIBRARY_PATH is read when dotnet starts, before the shim is loaded); Python keeps its own.
libstdcxx=unresolved
for cand in "" "$(python3 -c 'import sys;print(sys.prefix)' 2>/dev/null)/lib" "$tmp/libstdcxx"; do
  if ! LD_LIBRARY_PATH=$cand${cand:+:}$PETSEG_LIBTORCH ldd "$shim" 2>&1 | grep -q "version \`GLIB"; then libstdcxx=${cand:-system}; break; fi
done
stdcxx=$([ "$libstdcxx" = system ] || [ "$libstdcxx" = unresolved ] || echo "$libstdcxx")
# The libtorch folder too, for what finds libtorch by name (ldd, the tests' TorchSharp, the shim's own dependencies
# should the loaded libraries lack a SONAME): the same files petseg loads by path, so never a second copy.
petseg_libs=${stdcxx:+$stdcxx:}$PETSEG_LIBTORCH
mkdir -p "$tmp/bin" && printf '#!/bin/sh\nexport LD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\nexec dotnet "%s/petseg/PetSeg.Cli.dll" "$@"\n' \
  "$petseg_libs" "$tmp" > "$tmp/bin/petseg" && chmod +x "$tmp/bin/petseg"
export PATH=$tmp/bin:$PATH
export COLUMNS=160 # doctor's table whole in gpu.log, not folded at 80 columns
step() { echo; echo "== $* ($(date +%T))"; }
{
  step machine; nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"; python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" 2>&1
  step "libstdc++ for TorchSharp's shim (GLIBCXX_3.4.32): $libstdcxx; glibc $(getconf GNU_LIBC_VERSION 2>/dev/null)"
  [ "$libstdcxx" = unresolved ] && LD_LIBRARY_PATH=$PETSEG_LIBTORCH ldd "$shim" 2>&1 | grep -m5 "version \`GLIB"
  step "TorchSharp's shim against $PETSEG_LIBTORCH: undefined symbols and missing versions (none = it links)"
  # All of them, demangled, to $OUT/shim-link.txt: what a shim built against this libtorch would have to provide.
  LD_LIBRARY_PATH=$petseg_libs ldd -r "$shim" 2>&1 | grep -E "undefined symbol|not found" | { command -v c++filt > /dev/null && c++filt || cat; } > "$OUT/shim-link.txt"
  if [ -s "$OUT/shim-link.txt" ]; then echo "$(wc -l < "$OUT/shim-link.txt") (all in shim-link.txt), the first:"; head -5 "$OUT/shim-link.txt"; else echo none; rm -f "$OUT/shim-link.txt"; fi
  step "doctor (the CPU's kernels and $DEVICE's, each against float64)"
  timeout 120 petseg doctor --bf16 --device "$DEVICE" > "$tmp/doctor.txt" 2>&1; doctor=$?
  grep -v NNPACK "$tmp/doctor.txt"
  # A device that fails its self-check refuses to train: the figures below are then measured unchecked (and say so).
  numerics=auto
  if [ "$doctor" -ne 0 ]; then numerics=off; echo "doctor exit $doctor: the rest runs with --numerics off (figures only, not results)"; fi
  step "accelerator tests on $DEVICE (tests/PetSeg.Tests/Compute/AcceleratorTests.cs: each model's step and prediction against the CPU, counts, bf16, checkpoints, the device's self-check)"
  # The console runner (no SDK there); libtorch by LD_LIBRARY_PATH, as TorchSharp probes it by name.
  ( cd "$tmp/tests" && LD_LIBRARY_PATH=$petseg_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} DOTNET_ROLL_FORWARD=Major \
      PETSEG_TEST_DEVICE=$([ "$DEVICE" = cuda ] || echo "$DEVICE") timeout 300 dotnet xunit-console/xunit.console.dll PetSeg.Tests.dll \
      -class PetSeg.Tests.Compute.AcceleratorTests -nocolor -xml "$OUT/accelerator-tests.xml" 2>&1 | grep -v NNPACK | tail -40 )
  for batch in 16 64; do for p in "" --bf16; do
    step "petseg bench train-step --device $DEVICE --batch $batch $p"
    timeout 240 petseg bench train-step --numerics "$numerics" --device "$DEVICE" --batch "$batch" --size "$SIZE" --steps "$STEPS" $p 2>&1 | grep -E "^(train-step|device|error|warning)"
  done; done
  step "petseg bench lab --device $DEVICE (the real lab's 14 experiments at 224², projected)"
  timeout 300 petseg bench lab --numerics "$numerics" --device "$DEVICE" --steps "$STEPS" 2>&1 | grep -v NNPACK
  for batch in 16 64; do
    step "PyTorch eager on $DEVICE, batch $batch"
    PETSEG_BENCH_DEVICE=$DEVICE PETSEG_BENCH_BATCH=$batch PETSEG_BENCH_THREADS=16 timeout 240 python3 build/bench/pytorch-reference.py simple-vit,simple-unet,unet-resnet34 "$STEPS" fp32,bf16
  done
  for d in "$DEVICE" cpu; do
    step "smoke DAG on $d"
    rm -rf "$tmp/smoke-$d" && mkdir -p "$tmp/smoke-$d" && cp pipeline.yaml "$tmp/smoke-$d/"
    (cd "$tmp/smoke-$d" && timeout 600 petseg run report --profile smoke --numerics "$([ "$d" = cpu ] && echo auto || echo "$numerics")" --device "$d" 2>&1 | grep -vE "^\s*$" | tail -5)
    cp "$tmp/smoke-$d/artifacts/report/report.md" "$OUT/smoke-report-$d.md" 2>/dev/null
  done
  # The same weights (the CPU run's unet-base) through predict's batched path on each device, masks compared file by file.
  for d in "$DEVICE" cpu; do
    step "predict on $d (the CPU run's unet-base, its synthetic images, batch 16)"
    (cd "$tmp/smoke-cpu" && timeout 120 petseg predict artifacts/data/synthetic-pet/images --experiment unet-base --profile smoke \
       --numerics "$([ "$d" = cpu ] && echo auto || echo "$numerics")" --device "$d" --out "$tmp/masks-$d" 2>&1 | tail -2)
  done
  if [ -d "$tmp/masks-cpu" ] && [ -d "$tmp/masks-$DEVICE" ]; then
    same=0; all=0
    for m in "$tmp/masks-cpu"/*.png; do all=$((all + 1)); cmp -s "$m" "$tmp/masks-$DEVICE/$(basename "$m")" && same=$((same + 1)); done
    echo "predict masks identical on $DEVICE and cpu: $same of $all"
  fi
  step "report tables, $DEVICE vs cpu (diff of the metric rows)"
  if [ -f "$OUT/smoke-report-$DEVICE.md" ] && [ -f "$OUT/smoke-report-cpu.md" ]; then
    diff <(grep '^|' "$OUT/smoke-report-$DEVICE.md") <(grep '^|' "$OUT/smoke-report-cpu.md") && echo "identical tables"
  else echo "a smoke report is missing"; fi
} 2>&1 | tee "$OUT/gpu.log"
