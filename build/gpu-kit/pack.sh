#!/usr/bin/env bash
# Packs what a GPU machine without .NET needs to run petseg against its installed PyTorch's libtorch (issue #23):
# a framework-dependent publish of petseg with TorchSharp's shim but no libtorch of its own, and the .NET shared
# runtime, into gpu-kit/ (git-ignored, well under the device tool's 64 MiB). Then, from the device tool:
#   run(command: "bash build/gpu-kit/run.sh", carry: ["gpu-kit"])
# Usage: bash build/gpu-kit/pack.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=gpu-kit
rm -rf "$kit" && mkdir -p "$kit"

# petseg without a libtorch package (TorchDevice=none): the machine's libtorch is loaded through PETSEG_LIBTORCH.
dotnet publish src/PetSeg.Cli -c Release -p:TorchDevice=none --no-self-contained -o "$kit/petseg" -v q -nologo
find "$kit/petseg/runtimes" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +   # other platforms' natives
find "$kit/petseg" -name '*.pdb' -delete
tar -C "$kit" -cJf "$kit/petseg.tar.xz" petseg && rm -rf "$kit/petseg"

# The accelerator tests (tests/PetSeg.Tests/Compute/AcceleratorTests.cs) and xunit's console runner: the GPU machine
# has a .NET runtime (carried) but no SDK, so no `dotnet test`.
dotnet publish tests/PetSeg.Tests -c Release -p:TorchDevice=none --no-self-contained -o "$kit/tests" -v q -nologo
find "$kit/tests/runtimes" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
find "$kit/tests" -name '*.pdb' -delete
# vstest's and code coverage's files (the console runner needs neither), resource translations, the chart natives
# (the accelerator tests draw no chart) and ONNX Runtime (they export nothing): 59 → 17 MB.
( cd "$kit/tests" && rm -rf CodeCoverage alpine ubuntu macos x64 x86 arm64 cs de es fr it ja ko pl pt pt-BR ru sv tr zh-Hans zh-Hant \
    Microsoft.CodeCoverage.* Microsoft.TestPlatform.* Microsoft.VisualStudio.* Mono.Cecil*.dll Microsoft.DiaSymReader.dll testhost.dll \
    runtimes/linux-x64/native/libSkiaSharp.so runtimes/linux-x64/native/libHarfBuzzSharp.so runtimes/linux-x64/native/libonnxruntime*.so )
runner=$(dirname "$(find ~/.nuget/packages/xunit.runner.console -path '*/tools/netcoreapp2.0/xunit.console.dll' | sort -V | tail -1)")
[ -d "$runner" ] || { echo "error: xunit.runner.console is not restored (dotnet restore tests/PetSeg.Tests)" >&2; exit 1; }
cp -r "$runner" "$kit/tests/xunit-console"
tar -C "$kit" -cJf "$kit/tests.tar.xz" tests && rm -rf "$kit/tests"

# The .NET shared runtime this build targets (dotnet host, hostfxr, Microsoft.NETCore.App), from this machine's SDK.
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
fx=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" {print $2}' | sort -V | tail -1)
hostfxr=$(ls "$root/host/fxr" | sort -V | tail -1)
tar -C "$root" -cJf "$kit/dotnet.tar.xz" --transform 's,^,dotnet/,' dotnet "host/fxr/$hostfxr" "shared/Microsoft.NETCore.App/$fx"

# The libstdc++ TorchSharp's shim resolves to here (it needs GLIBCXX_3.4.32, GCC 13+): run.sh uses it only where the
# GPU machine's own (and its Python's) lacks that version and this one's glibc needs are met there.
shim=$(find ~/.nuget/packages/torchsharp -path '*/runtimes/linux-x64/native/libLibTorchSharp.so' | sort -V | tail -1)
libstdcxx=$(readlink -f "$(ldd "$shim" | awk '/libstdc\+\+/ {print $3}')")
mkdir -p "$kit/libstdcxx" && cp "$libstdcxx" "$kit/libstdcxx/libstdc++.so.6"
tar -C "$kit" -cJf "$kit/libstdcxx.tar.xz" libstdcxx && rm -rf "$kit/libstdcxx"

size=$(du -sb "$kit" | cut -f1)
echo "gpu-kit: petseg $(du -sh "$kit/petseg.tar.xz" | cut -f1), tests $(du -sh "$kit/tests.tar.xz" | cut -f1), .NET $fx $(du -sh "$kit/dotnet.tar.xz" | cut -f1), libstdc++ $(du -sh "$kit/libstdcxx.tar.xz" | cut -f1), $((size / 1048576)) MiB in all"
[ "$size" -lt $((60 * 1048576)) ] || { echo "error: gpu-kit is $((size / 1048576)) MiB; the device tool carries 64 MiB" >&2; exit 1; }
