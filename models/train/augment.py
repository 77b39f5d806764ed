"""Photometric augmentation on batches of 0-1 RGB patches (N x 3 x S x S float tensors).

Geometry (angle, scale, calibration error) is augmented earlier, when TypeScript cuts jittered
quads with the production warp; everything here works on pixels only, so it cannot disagree with
the runtime about where a patch comes from. Each transform targets a failure seen across cameras:
exposure and white balance (sun, dusk, auto-exposure), greyscale (IR night mode), fog and rain,
shadows of buildings and trees, blur and low resolution (focus, distance, compression), sensor
noise, and occluders such as poles and branches.
"""
import math

import torch
import torch.nn.functional as F


def _p(n, prob, device):
    return (torch.rand(n, 1, 1, 1, device=device) < prob).float()


def _u(n, lo, hi, device, shape=(1, 1, 1)):
    return lo + (hi - lo) * torch.rand(n, *shape, device=device)


def gaussian_blur(x, sigma):
    """Per-sample Gaussian blur (sigma: N) as a 7-tap separable sum of shifted copies.

    Debian's torch uses a generic BLAS, where grouped convolutions are slow; shifts are not.
    """
    r = 3
    t = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device).view(1, -1)
    k = torch.exp(-(t**2) / (2 * sigma.view(-1, 1).clamp_min(1e-3) ** 2))
    k = (k / k.sum(1, keepdim=True)).view(-1, 2 * r + 1, 1, 1, 1)
    h, w = x.shape[-2:]
    p = F.pad(x, (r, r, 0, 0), mode="replicate")
    x = sum(k[:, i] * p[..., :, i : i + w] for i in range(2 * r + 1))
    p = F.pad(x, (0, 0, r, r), mode="replicate")
    return sum(k[:, i] * p[..., i : i + h, :] for i in range(2 * r + 1))


def augment(x):
    n, _, h, w = x.shape
    d = x.device
    # Mirror: parking rows appear from both sides.
    flip = torch.rand(n, device=d) < 0.5
    x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
    # Exposure (gamma and gain), contrast, white balance.
    x = x.clamp(1e-4, 1) ** _u(n, 0.6, 1.6, d)
    x = x * _u(n, 0.6, 1.4, d)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * _u(n, 0.6, 1.4, d) + mean
    x = x * _u(n, 0.85, 1.15, d, (3, 1, 1))
    # Greyscale, as IR night cameras deliver.
    grey = x.mean(1, keepdim=True).expand_as(x)
    g = _p(n, 0.15, d)
    x = g * grey + (1 - g) * x
    # Hard shadow across part of the patch (a building, a tree, the car next door).
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, h, device=d), torch.linspace(-1, 1, w, device=d), indexing="ij")
    angle = _u(n, 0, 2 * math.pi, d, ())
    offset = _u(n, -0.8, 0.8, d, ())
    side = (xx.unsqueeze(0) * torch.cos(angle).view(-1, 1, 1) + yy.unsqueeze(0) * torch.sin(angle).view(-1, 1, 1)) > offset.view(-1, 1, 1)
    shade = 1 - _p(n, 0.25, d) * side.unsqueeze(1).float() * _u(n, 0.25, 0.6, d)
    x = x * shade
    # Night: dark and noisy.
    night = _p(n, 0.08, d)
    x = night * (x * _u(n, 0.12, 0.35, d)) + (1 - night) * x
    # Fog / haze: blend towards a light grey.
    fog = _p(n, 0.15, d) * _u(n, 0.1, 0.5, d)
    x = x * (1 - fog) + fog * _u(n, 0.6, 0.9, d)
    # Rain: sparse bright specks smeared along a slanted line.
    rain = _p(n, 0.1, d)
    specks = (torch.rand(n, 1, h, w, device=d) < 0.015).float()
    streaks = sum(torch.roll(specks, shifts=(i, i // 3), dims=(2, 3)) for i in range(7)) * (2.5 / 7)
    x = x + rain * streaks * 0.5
    # Occluder: a flat-coloured rectangle (pole, sign, branch), never covering most of the patch.
    occ = _p(n, 0.15, d)
    rh = _u(n, 2 / h, 1 / 3, d, ())
    rw = _u(n, 2 / w, 1 / 4, d, ())
    y0 = _u(n, 0, 1, d, ()) * (1 - rh)
    x0 = _u(n, 0, 1, d, ()) * (1 - rw)
    ys = torch.linspace(0, 1, h, device=d).view(1, h, 1)
    xs = torch.linspace(0, 1, w, device=d).view(1, 1, w)
    inside = (ys >= y0.view(-1, 1, 1)) & (ys < (y0 + rh).view(-1, 1, 1)) & (xs >= x0.view(-1, 1, 1)) & (xs < (x0 + rw).view(-1, 1, 1))
    m = inside.unsqueeze(1).float() * occ
    x = x * (1 - m) + m * torch.rand(n, 3, 1, 1, device=d)
    # Blur (focus, motion, compression).
    b = torch.rand(n, device=d) < 0.3
    if b.any():
        x[b] = gaussian_blur(x[b], _u(int(b.sum()), 0.5, 1.6, d, ()))
    # Low resolution: a far or low-megapixel camera.
    lo = torch.rand(n, device=d) < 0.15
    if lo.any():
        f = float(torch.empty(1).uniform_(0.3, 0.6))
        small = F.interpolate(x[lo], scale_factor=f, mode="bilinear", align_corners=False, recompute_scale_factor=False)
        x[lo] = F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)
    # Sensor noise, stronger at night.
    sigma = _p(n, 0.3, d) * _u(n, 0.0, 0.04, d) + night * 0.03
    x = x + torch.randn_like(x) * sigma
    return x.clamp(0, 1)
