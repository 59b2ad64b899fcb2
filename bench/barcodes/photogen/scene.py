"""Scene composition and camera simulation.

Pipeline (physically ordered):
  label/product texture (sRGB) -> surface deformation (crease, cylinder) in
  product space -> 3D pose projection (homography) into a supersampled scene
  -> linear-light illumination (gradient, cast shadow, specular glare,
  occluder) -> optics (defocus / motion / lens blur) -> sensor sampling
  (downscale; moire) -> exposure + shot/read noise -> white balance -> gamma /
  tone curve -> mild sharpening -> JPEG.
"""
from __future__ import annotations

import glob
import io
import math
import os

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

# ------------------------------------------------------------------ fonts
_FONT_CACHE: dict = {}


def _font_paths():
    import barcode
    paths = glob.glob(os.path.join(os.path.dirname(barcode.__file__), "fonts", "*.ttf"))
    paths += sorted(glob.glob("/usr/share/fonts/truetype/dejavu/*.ttf"))[:6]
    return paths


def font(rng, size):
    paths = _FONT_CACHE.setdefault("p", _font_paths())
    size = max(6, int(size))
    if paths:
        p = paths[int(rng.integers(0, len(paths)))]
        key = (p, size)
        if key not in _FONT_CACHE:
            _FONT_CACHE[key] = ImageFont.truetype(p, size)
        return _FONT_CACHE[key]
    return ImageFont.load_default(size=size)


PRODUCT_WORDS = ["ORGANIC", "Fresh", "Whole Grain", "NET WT 500 g", "Best before", "Keep refrigerated",
                 "Ingredients: water, sugar, salt", "Made in EU", "Lot", "Premium Quality", "Store in a dry place",
                 "Serving size 30 g", "Nutrition Facts", "Energy 1540 kJ", "Recycle me", "SHIP TO:",
                 "Contents: 12 x 1 L", "Handle with care", "THIS SIDE UP", "Batch", "Price", "Item no.",
                 "Coffee beans", "Pasta", "Shampoo 250 ml", "Vitamin C", "Dark chocolate 70%"]


def rand_text(rng, n_words=None):
    n = n_words or int(rng.integers(1, 4))
    return " ".join(str(rng.choice(PRODUCT_WORDS)) for _ in range(n))


def draw_random_text(draw, rng, w, h, n, size_rng, colors=None):
    for _ in range(n):
        sz = rng.uniform(*size_rng)
        f = font(rng, sz)
        x = rng.uniform(-0.05, 0.9) * w; y = rng.uniform(0, 0.95) * h
        c = tuple(int(v) for v in (colors[int(rng.integers(0, len(colors)))] if colors else rng.integers(0, 120, 3)))
        draw.text((x, y), rand_text(rng), fill=c, font=f)


def draw_logo(draw, rng, cx, cy, r):
    c = tuple(int(v) for v in rng.integers(0, 255, 3))
    k = int(rng.integers(0, 4))
    if k == 0:
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=c)
        draw.ellipse([cx - r * .55, cy - r * .55, cx + r * .55, cy + r * .55], fill=(255, 255, 255))
    elif k == 1:
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=c)
    elif k == 2:
        draw.rounded_rectangle([cx - r, cy - r * .6, cx + r, cy + r * .6], radius=r * .3, fill=c)
    else:
        for i in range(5):
            a = i * 2 * math.pi / 5
            draw.ellipse([cx + r * .6 * math.cos(a) - r * .35, cy + r * .6 * math.sin(a) - r * .35,
                          cx + r * .6 * math.cos(a) + r * .35, cy + r * .6 * math.sin(a) + r * .35], fill=c)


# ------------------------------------------------------------------ background
def smooth_noise(rng, h, w, cells, amp):
    g = rng.normal(0, 1, (cells, max(2, int(cells * w / h))))
    return cv2.resize(g.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC) * amp


def make_background(rng, h, w, with_clutter=True):
    kind = int(rng.integers(0, 4))
    base = rng.uniform(40, 210, 3)
    img = np.ones((h, w, 3), np.float32) * base
    img += smooth_noise(rng, h, w, 4, 25)[..., None]
    if kind == 0:      # wood grain
        y = np.arange(h, dtype=np.float32)[:, None]
        x = np.arange(w, dtype=np.float32)[None, :]
        warp = smooth_noise(rng, h, w, 6, 40)
        grain = np.sin((y + warp + 0.02 * x) / rng.uniform(6, 20)) * 18
        img += grain[..., None] * np.array([1.0, 0.8, 0.6])
    elif kind == 1:    # fabric / carpet texture
        img += (rng.normal(0, 10, (h // 2 + 1, w // 2 + 1)).repeat(2, 0).repeat(2, 1)[:h, :w])[..., None]
    elif kind == 2:    # tiled counter
        step = int(rng.integers(120, 400))
        img[::step, :, :] *= 0.6; img[:, ::step, :] *= 0.6
    else:              # plain painted / desk
        img += rng.normal(0, 3, (h, w, 1))
    img = np.clip(img, 0, 255).astype(np.uint8)
    if with_clutter:
        pil = Image.fromarray(img); d = ImageDraw.Draw(pil)
        for _ in range(int(rng.integers(1, 5))):   # other objects: boxes, papers
            x0, y0 = rng.uniform(-0.2, 0.9) * w, rng.uniform(-0.2, 0.9) * h
            ww, hh = rng.uniform(0.1, 0.4) * w, rng.uniform(0.1, 0.4) * h
            col = tuple(int(v) for v in rng.integers(0, 255, 3))
            d.rectangle([x0, y0, x0 + ww, y0 + hh], fill=col)
            if rng.random() < 0.7:
                draw_random_text(d, rng, ww, hh, 0, (10, 20))
                for _ in range(int(rng.integers(1, 4))):
                    f = font(rng, rng.uniform(0.03, 0.08) * hh + 8)
                    d.text((x0 + rng.uniform(0, 0.5) * ww, y0 + rng.uniform(0, 0.8) * hh), rand_text(rng),
                           fill=tuple(int(v) for v in 255 - np.array(col)), font=f)
        img = np.asarray(pil)
    return img


# ------------------------------------------------------------------ label / product
def make_product(rng, code: np.ndarray, is_1d: bool, k: int):
    """Place the code on a label on a product surface.

    Returns (product RGB uint8, code bbox (x0,y0,x1,y1) in product px,
    label bbox)."""
    ch, cw = code.shape
    qz = (int(rng.uniform(11, 16)) if is_1d else int(rng.uniform(3, 6))) * k  # quiet zone on label
    top = int(rng.uniform(0.15, 0.6) * ch) + 2 * k
    bot = int(rng.uniform(0.1, 0.4) * ch) + 2 * k
    lw, lh = cw + 2 * qz, ch + top + bot
    paper = np.array([255, 255, 255]) - np.array([rng.uniform(0, 18), rng.uniform(0, 22), rng.uniform(0, 35)])
    label = Image.new("RGB", (lw, lh), tuple(int(v) for v in paper))
    d = ImageDraw.Draw(label)
    # label text above the code (kept out of the quiet zone)
    if top > 4 * k:
        f = font(rng, min(top * 0.45, lw * 0.08))
        d.text((qz * 0.5, top * 0.15), rand_text(rng, 2), fill=tuple(int(v) for v in rng.integers(0, 90, 3)), font=f)
    ink = rng.uniform(0, 45)
    ink_col = np.array([ink, ink, ink]) + (rng.uniform(0, 40, 3) if rng.random() < 0.2 else 0)
    code_rgb = np.where(code[..., None] < 128, ink_col, paper).astype(np.uint8)
    label.paste(Image.fromarray(code_rgb), (qz, top))
    if rng.random() < 0.5:
        d.rectangle([0, 0, lw - 1, lh - 1], outline=tuple(int(v) for v in rng.integers(0, 120, 3)), width=max(1, k // 2))

    # product surface around the label
    mx = int(lw * rng.uniform(0.25, 0.9)); my = int(lh * rng.uniform(0.3, 1.2))
    pw, ph = lw + 2 * mx, lh + 2 * my
    pcol = tuple(int(v) for v in rng.integers(20, 240, 3))
    prod = Image.new("RGB", (pw, ph), pcol)
    pd = ImageDraw.Draw(prod)
    # stripes / bands of the packaging design
    for _ in range(int(rng.integers(0, 4))):
        y0 = rng.uniform(0, ph); hh = rng.uniform(0.03, 0.2) * ph
        pd.rectangle([0, y0, pw, y0 + hh], fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    for _ in range(int(rng.integers(2, 7))):
        f = font(rng, rng.uniform(0.02, 0.07) * ph + 6)
        pd.text((rng.uniform(0, 0.8) * pw, rng.uniform(0, 0.95) * ph), rand_text(rng),
                fill=tuple(int(v) for v in rng.integers(0, 255, 3)), font=f)
    if rng.random() < 0.7:
        draw_logo(pd, rng, rng.uniform(0.1, 0.9) * pw, rng.uniform(0.05, 0.25) * ph, rng.uniform(0.04, 0.1) * pw)
    lx = mx + int(rng.uniform(-0.15, 0.15) * mx); ly = my + int(rng.uniform(-0.3, 0.3) * my)
    prod.paste(label, (lx, ly))
    code_bb = (lx + qz, ly + top, lx + qz + cw, ly + top + ch)
    return np.asarray(prod), code_bb, (lx, ly, lx + lw, ly + lh)


def make_nocode_product(rng, k):
    """A product face with text, rules, logos and stripes but no barcode."""
    w = int(rng.uniform(500, 1100)); h = int(rng.uniform(400, 900))
    fake = np.full((h // 3, w // 2), 255, np.uint8)
    prod = Image.new("RGB", (w, h), tuple(int(v) for v in rng.integers(20, 250, 3)))
    d = ImageDraw.Draw(prod)
    lx0, ly0 = rng.uniform(0.1, 0.3) * w, rng.uniform(0.2, 0.4) * h
    d.rectangle([lx0, ly0, lx0 + 0.5 * w, ly0 + 0.4 * h], fill=(245, 243, 235))
    for i in range(int(rng.integers(3, 8))):
        f = font(rng, rng.uniform(14, 40))
        d.text((lx0 + 10, ly0 + 10 + i * rng.uniform(18, 30)), rand_text(rng), fill=(20, 20, 20), font=f)
    for _ in range(int(rng.integers(1, 5))):  # ruled lines / tables
        y = rng.uniform(0, h); d.line([0, y, w, y], fill=(0, 0, 0), width=int(rng.integers(1, 6)))
    if rng.random() < 0.6:  # barcode-like but non-code: regular grille / hatching
        x0 = rng.uniform(0, 0.6) * w; y0 = rng.uniform(0.5, 0.8) * h
        step = rng.uniform(4, 12)
        for j in range(int(rng.integers(8, 30))):
            d.rectangle([x0 + j * step, y0, x0 + j * step + step * 0.5, y0 + rng.uniform(30, 80)], fill=(30, 30, 30))
    if rng.random() < 0.5:  # checkerboard-ish logo
        x0 = rng.uniform(0.6, 0.85) * w; y0 = rng.uniform(0.05, 0.4) * h; s = rng.uniform(6, 14)
        for i in range(5):
            for j in range(5):
                if (i + j) % 2 == 0:
                    d.rectangle([x0 + i * s, y0 + j * s, x0 + (i + 1) * s, y0 + (j + 1) * s], fill=(0, 0, 0))
    draw_logo(d, rng, rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.3) * h, rng.uniform(20, 60))
    del fake
    a = np.asarray(prod)
    bb = (int(lx0), int(ly0), int(lx0 + 0.5 * w), int(ly0 + 0.4 * h))
    return a, bb, bb


# ------------------------------------------------------------------ surface deformations
def crease_warp(rng, img, code_bb, strength):
    """Fold line across the code: geometric kink + shading step + crease line + wrinkles."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = code_bb
    cx = rng.uniform(x0 + 0.25 * (x1 - x0), x1 - 0.25 * (x1 - x0))
    cy = rng.uniform(y0 + 0.25 * (y1 - y0), y1 - 0.25 * (y1 - y0))
    ang = rng.uniform(0, math.pi)
    nx, ny = math.cos(ang), math.sin(ang)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    s = (xx - cx) * nx + (yy - cy) * ny
    comp = 1.0 - strength * rng.uniform(0.05, 0.15)          # foreshortening of folded half
    s_src = np.where(s > 0, s / comp, s)
    wr = smooth_noise(rng, h, w, 8, strength * 0.004 * max(h, w))
    mapx = (xx + (s_src - s) * nx + wr).astype(np.float32)
    mapy = (yy + (s_src - s) * ny + smooth_noise(rng, h, w, 8, strength * 0.004 * max(h, w))).astype(np.float32)
    out = cv2.remap(img, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    width = max(2.0, 0.006 * max(h, w))
    shade = np.where(s > 0, 1.0 - strength * rng.uniform(0.08, 0.25), 1.0)
    line = 1.0 - strength * rng.uniform(0.2, 0.45) * np.exp(-(s / width) ** 2)
    hi = strength * rng.uniform(0.0, 0.25) * np.exp(-((s + 2.5 * width) / (1.5 * width)) ** 2)
    out = out * (shade * line)[..., None] + 255 * hi[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def cylinder_warp(rng, img, code_bb, strength):
    """Wrap the product face around a cylinder (bottle / can), viewed head-on.

    Returns warped image, new code bbox, and a shading map (Lambertian falloff)."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = code_bb
    across_bars = rng.random() < 0.7
    vertical_axis = across_bars  # image x is the curved direction after optional transpose
    if not vertical_axis:
        img = np.ascontiguousarray(img.transpose(1, 0, 2)); h, w = w, h
        x0, y0, x1, y1 = y0, x0, y1, x1
    half_code = (x1 - x0) / 2
    phi = strength * rng.uniform(0.45, 0.85)                  # half angle subtended by the code
    R = half_code / phi
    cx = (x0 + x1) / 2 + rng.uniform(-0.15, 0.15) * half_code  # where the cylinder faces the camera
    umax = min(R * math.pi / 2 * 0.97, max(cx, w - cx))
    xo_left = -R * math.sin(min(cx, umax) / R)
    xo_right = R * math.sin(min(w - cx, umax) / R)
    W = int(xo_right - xo_left)
    xo = np.arange(W, dtype=np.float32) + xo_left
    u = R * np.arcsin(np.clip(xo / R, -1, 1)) + cx
    mapx = np.tile(u[None, :], (h, 1)).astype(np.float32)
    mapy = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, W))
    out = cv2.remap(img, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    alpha = ((u >= 0) & (u < w - 1)).astype(np.float32)
    cosang = np.sqrt(np.clip(1 - (xo / R) ** 2, 0, 1))
    shade = (0.35 + 0.65 * cosang)[None, :].repeat(h, 0)
    alpha = alpha[None, :].repeat(h, 0)
    nx0 = R * math.sin((x0 - cx) / R) - xo_left
    nx1 = R * math.sin((x1 - cx) / R) - xo_left
    bb = (nx0, y0, nx1, y1)
    if not vertical_axis:
        out = np.ascontiguousarray(out.transpose(1, 0, 2)); shade = shade.T.copy(); alpha = alpha.T.copy()
        bb = (y0, nx0, y1, nx1)
    # specular highlight band along the axis position (used when glare wanted)
    band_pos = (rng.uniform(-0.9, 0.9) * R - xo_left)
    return out, bb, shade.astype(np.float32), alpha.astype(np.float32), (band_pos, vertical_axis)


# ------------------------------------------------------------------ geometry
def pose_homography(rng, pw, ph, code_bb, target_mod_px, k, scene_w, scene_h, rot_deg, tilt_deg, place_margin):
    """Homography product->scene for a plane rotated in 3D and projected.

    Scaled so that the code's module size at its centre equals target_mod_px."""
    ax = math.radians(tilt_deg * rng.choice([-1, 1]) * rng.uniform(0.3, 1.0))
    ay = math.radians(math.copysign(math.sqrt(max(0, tilt_deg ** 2 - math.degrees(ax) ** 2)), rng.uniform(-1, 1)))
    az = math.radians(rot_deg)
    cx, cy = (code_bb[0] + code_bb[2]) / 2, (code_bb[1] + code_bb[3]) / 2
    Rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    Ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    Rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    R = Rz @ Ry @ Rx
    f = 1.0; Z = rng.uniform(2.5, 4.0)   # distance in units of product-size / focal
    scale_p = 1.0 / max(pw, ph)
    pts = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph], [cx, cy], [cx + k, cy], [cx, cy + k]], np.float64)
    P = np.c_[(pts[:, 0] - cx) * scale_p, (pts[:, 1] - cy) * scale_p, np.zeros(len(pts))]
    Q = P @ R.T + np.array([0, 0, Z])
    proj = f * Q[:, :2] / Q[:, 2:3]
    mod_now = (np.linalg.norm(proj[5] - proj[4]) + np.linalg.norm(proj[6] - proj[4])) / 2
    s = target_mod_px / mod_now
    proj = proj * s
    H = cv2.getPerspectiveTransform(pts[:4].astype(np.float32), proj[:4].astype(np.float32))
    # place code centre
    cb = np.array([[code_bb[0], code_bb[1]], [code_bb[2], code_bb[1]], [code_bb[2], code_bb[3]], [code_bb[0], code_bb[3]]],
                  np.float32)
    cpts = cv2.perspectiveTransform(cb[None], H)[0]
    lo, hi = cpts.min(0), cpts.max(0)
    m = place_margin
    xmin, xmax = m - lo[0], scene_w - m - hi[0]
    ymin, ymax = m - lo[1], scene_h - m - hi[1]
    tx = rng.uniform(xmin, xmax) if xmax > xmin else (xmin + xmax) / 2
    ty = rng.uniform(ymin, ymax) if ymax > ymin else (ymin + ymax) / 2
    T = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    return T @ H


# ------------------------------------------------------------------ photometric helpers
_LUT = np.power(np.arange(256, dtype=np.float32) / 255.0, 2.2).astype(np.float32)


def srgb_to_lin(a):
    a = np.asarray(a)
    if a.dtype == np.uint8:
        return _LUT[a]
    return np.power(a.astype(np.float32) / 255.0, 2.2)


def lin_to_srgb(a, gamma=2.2):
    return np.power(np.clip(a, 0, 1), 1.0 / gamma)


def disk_kernel(r):
    r = max(r, 0.5)
    n = int(math.ceil(r)) * 2 + 1
    yy, xx = np.mgrid[:n, :n] - n // 2
    # anti-aliased disk
    d = np.sqrt(xx ** 2 + yy ** 2)
    k = np.clip(r + 0.5 - d, 0, 1).astype(np.float32)
    return k / k.sum()


def motion_kernel(length, angle_deg):
    n = int(math.ceil(length)) + 3
    n += 1 - n % 2
    k = np.zeros((n, n), np.float32)
    c = n // 2
    dx, dy = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    for t in np.linspace(-length / 2, length / 2, int(length * 4) + 2):
        x, y = c + t * dx, c + t * dy
        x0, y0 = int(math.floor(x)), int(math.floor(y))
        fx, fy = x - x0, y - y0
        for (xi, yi, wgt) in ((x0, y0, (1 - fx) * (1 - fy)), (x0 + 1, y0, fx * (1 - fy)),
                              (x0, y0 + 1, (1 - fx) * fy), (x0 + 1, y0 + 1, fx * fy)):
            if 0 <= xi < n and 0 <= yi < n:
                k[yi, xi] += wgt
    return k / k.sum()


def soft_polygon_mask(h, w, poly, blur):
    m = np.zeros((h, w), np.float32)
    cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1.0)
    if blur > 0.5:
        ks = int(blur * 3) | 1
        m = cv2.GaussianBlur(m, (ks, ks), blur)
    return m


def gaussian_blob(xx, yy, cx, cy, sx, sy, ang):
    c, s = math.cos(ang), math.sin(ang)
    u = (xx - cx) * c + (yy - cy) * s
    v = -(xx - cx) * s + (yy - cy) * c
    return np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))


def jpeg_bytes(rgb_u8, q):
    buf = io.BytesIO()
    Image.fromarray(rgb_u8).save(buf, format="JPEG", quality=int(q), subsampling=2 if q < 85 else 0, optimize=True)
    return buf.getvalue()
