#!/usr/bin/env bash
# Our bf16 train step against PyTorch's autocast + channels-last, taken in turns (issue #14). These VMs drift by
# ±25 % within minutes, so one run of each says little: each round runs ours then PyTorch for every model, and the
# verdict is the median over rounds of the paired ratio (ours / PyTorch, same round, seconds apart).
# Needs python3-torch and python3-torchvision (build/bench/pytorch-reference.py); not used by the tests.
# Usage: bash build/bench/side-by-side.sh [rounds=4] [models=unet-resnet34,simple-unet,simple-vit] [steps=6]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-4}; models=${2:-unet-resnet34,simple-unet,simple-vit}; steps=${3:-6}
python=${PYTHON:-/usr/bin/python3}
"$python" -c 'import torch, torchvision' 2>/dev/null || { echo "side-by-side: $python cannot import torch and torchvision (Debian: python3-torch python3-torchvision)" >&2; exit 1; }
dotnet build src/PetSeg.Cli -c Release -v quiet -nologo >/dev/null
petseg=src/PetSeg.Cli/bin/Release/net10.0/PetSeg.Cli
log=$(mktemp); trap 'rm -f "$log"' EXIT

for r in $(seq 1 "$rounds"); do
  for m in ${models//,/ }; do
    ours=$("$petseg" bench train-step --bf16 --steps "$steps" --model "$m" | sed -n 's/.*: \([0-9.]*\) images\/s train.*, \([0-9.]*\) images\/s eval.*/\1 \2/p')
    theirs=$("$python" build/bench/pytorch-reference.py "$m" "$steps" bf16 | sed -n 's/.*train \([0-9.]*\) img\/s, eval \([0-9.]*\) img\/s.*/\1 \2/p')
    echo "round $r $m: ours train/eval $ours img/s, PyTorch $theirs img/s"
    echo "$m $ours $theirs" >> "$log"
  done
done

echo "medians over $rounds rounds (bf16, batch 16, 224², $steps steps each; ratio = median of the paired ratios):"
"$python" - "$log" <<'EOF'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    m, ot, oe, pt, pe = line.split(); rows.setdefault(m, []).append(tuple(map(float, (ot, oe, pt, pe))))
for m, rs in rows.items():
    med = lambda i: st.median(r[i] for r in rs)
    tr = st.median(r[0] / r[2] for r in rs); er = st.median(r[1] / r[3] for r in rs)
    print(f"  {m:15} train ours {med(0):6.2f} PyTorch {med(2):6.2f} ratio {tr:.2f}x | eval ours {med(1):6.2f} PyTorch {med(3):6.2f} ratio {er:.2f}x")
EOF
