# Same-sitting PyTorch reference for `petseg bench train-step` (issue #14): Adam + CrossEntropy(ignore 255) train step and eval
# forward, batch 16, 224², 2 threads, median of N, fp32 and bf16 autocast + channels-last. Needs python3-torch and
# python3-torchvision (Debian 13: 2.6 / 0.21, no MKL, as the lab measured); not used by the tests.
# Usage: /usr/bin/python3 build/bench/pytorch-reference.py [simple-vit,simple-unet,unet-resnet34] [steps] [fp32,bf16]
# On a GPU (issue #23, build/gpu-kit/run.sh): PETSEG_BENCH_DEVICE=cuda PETSEG_BENCH_BATCH=64 … (TF32 on, bf16 autocast on cuda).
import os, sys, time, statistics, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(os.environ.get("PETSEG_BENCH_THREADS", "2")))
DEV = torch.device(os.environ.get("PETSEG_BENCH_DEVICE", "cpu"))
if DEV.type == "cuda": torch.backends.cuda.matmul.allow_tf32 = True; torch.backends.cudnn.allow_tf32 = True
B, S, STEPS = int(os.environ.get("PETSEG_BENCH_BATCH", "16")), 224, int(sys.argv[2]) if len(sys.argv) > 2 else 6

class SimpleUNet(nn.Module):
    def __init__(s, i=3, o=2):
        super().__init__()
        cb = lambda a, b: nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(b, b, 3, padding=1), nn.ReLU(inplace=True))
        s.conv1, s.pool1, s.conv2, s.pool2, s.bottleneck = cb(i, 32), nn.MaxPool2d(2, 2), cb(32, 64), nn.MaxPool2d(2, 2), cb(64, 128)
        s.upconv2, s.dec_conv2, s.upconv1, s.dec_conv1 = nn.ConvTranspose2d(128, 64, 2, 2), cb(64, 64), nn.ConvTranspose2d(64, 32, 2, 2), cb(32, 32)
        s.out_conv = nn.Conv2d(32, o, 1)
    def forward(s, x):
        x = s.pool2(s.conv2(s.pool1(s.conv1(x))))
        return s.out_conv(s.dec_conv1(s.upconv1(s.dec_conv2(s.upconv2(s.bottleneck(x))))))

class Block(nn.Module):
    def __init__(s, dim, heads, mlp=4., p=0.1):
        super().__init__()
        s.norm1, s.attn, s.norm2 = nn.LayerNorm(dim), nn.MultiheadAttention(dim, heads, dropout=p, batch_first=True), nn.LayerNorm(dim)
        s.mlp = nn.Sequential(nn.Linear(dim, int(dim * mlp)), nn.GELU(), nn.Dropout(p), nn.Linear(int(dim * mlp), dim), nn.Dropout(p))
    def forward(s, x):
        y = s.norm1(x); x = x + s.attn(y, y, y)[0]
        return x + s.mlp(s.norm2(x))

class SimpleViT(nn.Module):
    def __init__(s, size=224, patch=16, classes=2, dim=128, depth=3, heads=4):
        super().__init__()
        s.p, s.g, s.c = patch, size // patch, classes
        s.norm, s.proj = nn.LayerNorm(3 * patch * patch), nn.Linear(3 * patch * patch, dim)
        s.pos = nn.Parameter(torch.randn(1, s.g * s.g, dim))
        s.enc = nn.Sequential(*[Block(dim, heads) for _ in range(depth)])
        s.head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, classes))
    def forward(s, img):
        b, c, h, w = img.shape
        x = img.reshape(b, c, s.g, s.p, s.g, s.p).permute(0, 2, 4, 3, 5, 1).reshape(b, s.g * s.g, -1)
        x = s.head(s.enc(s.proj(s.norm(x)) + s.pos))
        x = x.view(b, s.g, s.g, s.c).permute(0, 3, 1, 2)
        return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)

def unet_resnet34():
    import torchvision
    r = torchvision.models.resnet34()
    class Dec(nn.Module):
        def __init__(s):
            super().__init__()
            cbr = lambda a, b: nn.Sequential(nn.Conv2d(a, b, 3, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True))
            ins, skips, outs = [512, 256, 128, 64, 32], [256, 128, 64, 64, 0], [256, 128, 64, 32, 16]
            s.blocks = nn.ModuleList([nn.Sequential(cbr(i + k, o), cbr(o, o)) for i, k, o in zip(ins, skips, outs)])
            s.head = nn.Conv2d(16, 2, 3, padding=1)
        def forward(s, x):
            f0 = x; x = r.relu(r.bn1(r.conv1(x))); f1 = x; x = r.layer1(r.maxpool(x)); f2 = x
            x = r.layer2(x); f3 = x; x = r.layer3(x); f4 = x; x = r.layer4(x)
            for blk, skip in zip(s.blocks, [f4, f3, f2, f1, None]):
                x = F.interpolate(x, scale_factor=2, mode="nearest")
                if skip is not None: x = torch.cat([x, skip], 1)
                x = blk(x)
            return s.head(x)
    d = Dec(); d.r = r
    return d

def run(name, make, bf16):
    torch.manual_seed(0)
    m = make().to(DEV).train()
    opt = torch.optim.Adam(m.parameters(), lr=1e-4)
    x = torch.randn(B, 3, S, S, device=DEV); y = torch.randint(0, 2, (B, S, S), device=DEV)
    if bf16: m = m.to(memory_format=torch.channels_last); x = x.contiguous(memory_format=torch.channels_last)
    def step():
        opt.zero_grad()
        with torch.autocast(DEV.type, dtype=torch.bfloat16, enabled=bf16):
            out = m(x)
        loss = F.cross_entropy(out.float(), y, ignore_index=255)
        loss.backward(); opt.step(); loss.item()
    ts = []
    for i in range(STEPS + 2):
        t = time.perf_counter(); step(); 
        if i >= 2: ts.append(time.perf_counter() - t)
    m.eval(); es = []
    with torch.no_grad(), torch.autocast(DEV.type, dtype=torch.bfloat16, enabled=bf16):
        for i in range(max(3, STEPS // 2) + 1):
            t = time.perf_counter(); m(x).argmax(1).sum().item()
            if i > 0: es.append(time.perf_counter() - t)
    print(f"pytorch {torch.__version__} {DEV} batch {B} {name} {'bf16 autocast + channels-last' if bf16 else 'fp32'}: train {B / statistics.median(ts):.2f} img/s, eval {B / statistics.median(es):.2f} img/s", flush=True)

models = {"unet-resnet34": unet_resnet34, "simple-unet": SimpleUNet, "simple-vit": SimpleViT}
for n in (sys.argv[1].split(",") if len(sys.argv) > 1 else models):
    for precision in (sys.argv[3].split(",") if len(sys.argv) > 3 else ("fp32", "bf16")): run(n, models[n], precision == "bf16")
