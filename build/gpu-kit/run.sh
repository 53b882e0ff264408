#!/usr/bin/env bash
# The GPU check in one call, on the device tool's machine (one H200, PyTorch installed, no .NET), after pack.sh here:
#   run(command: "bash build/gpu-kit/run.sh", carry: ["gpu-kit"], timeout_s: 540)
# petseg doctor; bench train-step --device cuda for the four models at batch 16 and 64, fp32/TF32 and bf16; the same
# models in PyTorch on the same GPU; the smoke DAG on cuda and on the CPU, and their reports compared.
# Everything goes to $OUT/gpu.log (and the two reports). DEVICE=cpu runs the same script on a machine without a GPU.
set -u
OUT=${OUT:-$(mktemp -d /tmp/gpu-out.XXXX)}
DEVICE=${DEVICE:-cuda}
STEPS=${STEPS:-10}
repo=$(pwd)
kit=$repo/gpu-kit
[ -f "$kit/petseg/PetSeg.Cli.dll" ] || { echo "error: $kit is missing; run bash build/gpu-kit/pack.sh first and carry gpu-kit" >&2; exit 2; }
tmp=$(mktemp -d /tmp/petseg-gpu.XXXX)
tar -xJf "$kit/dotnet.tar.xz" -C "$tmp"
export DOTNET_ROOT=$tmp/dotnet PATH=$tmp/dotnet:$PATH DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -z "${PETSEG_LIBTORCH:-}" ]; then
  PETSEG_LIBTORCH=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')" 2>/dev/null) || { echo "error: no PETSEG_LIBTORCH and no python3 with torch" >&2; exit 2; }
fi
export PETSEG_LIBTORCH
petseg() { dotnet "$kit/petseg/PetSeg.Cli.dll" "$@"; }
step() { echo; echo "== $* ($(date +%T))"; }
{
  step machine; nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"; python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" 2>&1
  step "TorchSharp's shim against $PETSEG_LIBTORCH: undefined symbols (none = it links)"
  LD_LIBRARY_PATH=$PETSEG_LIBTORCH ldd -r "$kit/petseg/runtimes/linux-x64/native/libLibTorchSharp.so" 2>&1 | grep -m5 "undefined symbol" || echo none
  step doctor; timeout 120 petseg doctor --bf16
  for batch in 16 64; do for p in "" --bf16; do
    step "petseg bench train-step --device $DEVICE --batch $batch $p"
    timeout 240 petseg bench train-step --device "$DEVICE" --batch "$batch" --steps "$STEPS" $p 2>&1 | grep -E "^(train-step|device|error|warning)"
  done; done
  for batch in 16 64; do
    step "PyTorch eager on $DEVICE, batch $batch"
    PETSEG_BENCH_DEVICE=$DEVICE PETSEG_BENCH_BATCH=$batch PETSEG_BENCH_THREADS=16 timeout 240 python3 build/bench/pytorch-reference.py simple-vit,simple-unet,unet-resnet34 "$STEPS" fp32,bf16
  done
  for d in "$DEVICE" cpu; do
    step "smoke DAG on $d"
    rm -rf "$tmp/smoke-$d" && mkdir -p "$tmp/smoke-$d" && cp pipeline.yaml "$tmp/smoke-$d/"
    (cd "$tmp/smoke-$d" && timeout 600 petseg run report --profile smoke --device "$d" 2>&1 | grep -vE "^\s*$" | tail -5)
    cp "$tmp/smoke-$d/artifacts/report/report.md" "$OUT/smoke-report-$d.md" 2>/dev/null
  done
  step "report tables, $DEVICE vs cpu (diff of the metric rows)"
  diff <(grep '^|' "$OUT/smoke-report-$DEVICE.md") <(grep '^|' "$OUT/smoke-report-cpu.md") && echo "identical tables"
} 2>&1 | tee "$OUT/gpu.log"
