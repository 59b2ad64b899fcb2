"""Per-image generation: conditions -> effect parameters -> rendered JPEG."""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from . import scene as S
from .symbols import ONE_D, SYMBOLOGIES, make_content, render

CONDITIONS = ["clean", "rotated", "perspective", "small_in_frame", "glare", "dim_noisy", "motion_blur",
              "defocus", "curved", "creased", "shadow", "occlusion", "colour_cast", "moire", "jpeg_heavy",
              "combined", "no_code"]
COMBINABLE = ["rotated", "perspective", "small_in_frame", "glare", "dim_noisy", "motion_blur", "defocus",
              "curved", "creased", "shadow", "occlusion", "colour_cast", "moire", "jpeg_heavy"]

SKIN = [(232, 190, 160), (224, 172, 140), (198, 134, 100), (160, 105, 70), (110, 70, 45), (250, 215, 185)]


def _u(rng, lo, hi, s=1.0):
    """Value between lo and hi, pushed towards hi by strength s in (0,1]."""
    return lo + (hi - lo) * s * rng.uniform(0.55, 1.0)


def plan_effects(cond: str, rng):
    """Return dict effect -> strength (0..1)."""
    if cond == "clean":
        return {}
    if cond == "combined":
        n = int(rng.integers(3, 6))
        pool = list(COMBINABLE)
        chosen = []
        while len(chosen) < n:
            e = str(rng.choice(pool))
            pool.remove(e)
            # keep it physically plausible / humanly readable
            if e in ("motion_blur", "defocus") and ({"motion_blur", "defocus"} & set(chosen)):
                continue
            if e == "small_in_frame" and ({"motion_blur", "defocus", "moire"} & set(chosen)):
                continue
            if e in ("motion_blur", "defocus", "moire") and "small_in_frame" in chosen:
                continue
            chosen.append(e)
        return {e: float(rng.uniform(0.45, 0.75)) for e in chosen}
    if cond == "no_code":
        eff = {}
        for e in rng.choice(["glare", "dim_noisy", "motion_blur", "shadow", "colour_cast", "jpeg_heavy", "rotated",
                             "perspective"], int(rng.integers(0, 3)), replace=False):
            eff[str(e)] = float(rng.uniform(0.4, 0.9))
        return eff
    return {cond: float(rng.uniform(0.6, 1.0))}


def choose_k(target_scene_mod):
    k = int(max(4, min(12, math.ceil(target_scene_mod * 1.25))))
    return k + (k % 2)   # even, so BWIPP's 2 px/module output upscales exactly


@dataclass(frozen=True)
class _Frame:
    """The output photo (OW x OH) and the finer scene grid it is rendered on (W x H, SS times larger)."""
    OW: int
    OH: int
    SS: float

    @property
    def W(self) -> int:
        return int(self.OW * self.SS)

    @property
    def H(self) -> int:
        return int(self.OH * self.SS)

    def up(self, a):
        """A light field computed on the output grid, upsampled to the scene grid."""
        return cv2.resize(a.astype(np.float32), (self.W, self.H), interpolation=cv2.INTER_LINEAR)


@dataclass
class _Code:
    """Where the code landed in the scene: its four corners (TL TR BR BL, scene px)."""
    quad: np.ndarray

    def bil(self, u, v):
        q = self.quad
        return ((1 - u) * (1 - v) * q[0] + u * (1 - v) * q[1] + u * v * q[2] + (1 - u) * v * q[3])

    @property
    def w(self) -> float:
        return np.linalg.norm(self.quad[1] - self.quad[0])

    @property
    def h(self) -> float:
        return np.linalg.norm(self.quad[3] - self.quad[0])

    @property
    def centre(self):
        return self.quad.mean(0)


def generate(seed: int, cond: str, idx: int, sym: str):
    rng = np.random.default_rng([seed, CONDITIONS.index(cond), idx, 7919])
    eff = plan_effects(cond, rng)
    clean = cond == "clean"
    is_code = cond != "no_code"
    is_1d = sym in ONE_D
    fr = _frame(rng, eff)
    text, raw, mod_out, k, renderer, prod, code_bb = _symbol(rng, eff, clean, is_code, is_1d, sym, (seed, cond, idx), fr)
    prod, code_bb, shade, prod_alpha = _deform(rng, eff, prod, code_bb)
    Hm = _pose(rng, eff, clean, prod, code_bb, mod_out, k, fr)
    lin, alpha = _composite(rng, prod, shade, prod_alpha, Hm, fr)
    cb = np.array([[code_bb[0], code_bb[1]], [code_bb[2], code_bb[1]], [code_bb[2], code_bb[3]],
                   [code_bb[0], code_bb[3]]], np.float32)
    code = _Code(cv2.perspectiveTransform(cb[None], Hm)[0].astype(np.float64))
    # smooth light fields are computed on the output grid (in scene coordinates) and upsampled
    yy, xx = np.mgrid[0:fr.OH, 0:fr.OW].astype(np.float32) * fr.SS + (fr.SS - 1) / 2
    lin, white_ref = _illuminate(rng, eff, clean, lin, code, xx, yy, fr)
    if "glare" in eff:
        lin = _glare(rng, eff["glare"], is_1d, lin, code, white_ref, xx, yy, fr)
    if "occlusion" in eff and is_code:
        lin = _finger(rng, eff["occlusion"], is_1d, sym, lin, code, mod_out, white_ref, xx, yy, fr)
    del xx, yy
    lin = _optics(rng, eff, clean, lin, mod_out, fr)
    img = _sample(rng, eff, lin, alpha, fr)
    del lin, alpha
    img = _expose(rng, eff, clean, img, white_ref)
    out8 = _develop(rng, eff, img)
    data, q = _jpeg(rng, eff, clean, out8)
    meta = {"renderer": renderer, "effects": [e for e in eff] if cond != "clean" else [], "module_px": round(float(mod_out), 2),
            "jpeg_quality": q, "size": [fr.OW, fr.OH]}
    return data, text, raw, meta


def _frame(rng, eff) -> _Frame:
    portrait = rng.random() < 0.3
    OW, OH = (1200, 1600) if portrait else (1600, 1200)
    # small: full 12 MP-ish capture then downscale; moire needs a finer-than-sensor scene grid
    SS = 2.5 if "small_in_frame" in eff else (2.0 if "moire" in eff else 1.0)
    return _Frame(OW, OH, SS)


def _symbol(rng, eff, clean, is_code, is_1d, sym, key, fr: _Frame):
    """The code's content, its module size in the photo, and the product it is printed on."""
    seed, cond, idx = key
    if is_code:
        text, raw = make_content(sym, rng)
    else:
        text = raw = ""
    if "small_in_frame" in eff:
        s = eff["small_in_frame"]
        mod_out = (2.1 - 0.75 * s * rng.uniform(0.6, 1.0)) if is_1d else (2.6 - 1.0 * s * rng.uniform(0.6, 1.0))
    elif clean:
        mod_out = rng.uniform(3.0, 4.5) if is_1d else rng.uniform(4.0, 6.5)
    else:
        mod_out = rng.uniform(2.3, 4.0) if is_1d else rng.uniform(3.0, 5.5)

    renderer = "none"
    if not is_code:
        k = 4
        prod, code_bb, _label_bb = S.make_nocode_product(rng, k)
        return text, raw, mod_out, k, renderer, prod, code_bb
    k = choose_k(mod_out * fr.SS)
    code, renderer = render(sym, text, raw, k, rng)
    n_mod = max(code.shape) / k + (26 if is_1d else 10)
    mod_out = max(1.25, min(mod_out, 0.72 * min(fr.OW, fr.OH) / n_mod))
    k2 = choose_k(mod_out * fr.SS)
    if k2 < k and k2 >= 3:           # re-render at a lower scale if we shrank a lot (saves memory)
        rng_r = np.random.default_rng([seed, CONDITIONS.index(cond), idx, 31])
        k = k2
        code, renderer = render(sym, text, raw, k, rng_r)
    prod, code_bb, _label_bb = S.make_product(rng, code, is_1d, k)
    return text, raw, mod_out, k, renderer, prod, code_bb


def _deform(rng, eff, prod, code_bb):
    """Surface deformation, in product space."""
    prod_alpha = None
    shade = None
    if "creased" in eff:
        prod = S.crease_warp(rng, prod, code_bb, eff["creased"])
    if "curved" in eff:
        prod, code_bb, shade, prod_alpha, _ = S.cylinder_warp(rng, prod, code_bb, eff["curved"])
    return prod, code_bb, shade, prod_alpha


def _pose(rng, eff, clean, prod, code_bb, mod_out, k, fr: _Frame):
    ph, pw = prod.shape[:2]
    if "rotated" in eff:
        rot = rng.uniform(0, 360)
    elif clean:
        rot = rng.uniform(-4, 4)
    else:
        rot = rng.uniform(-12, 12) + (90 if rng.random() < 0.15 else 0)
    if "perspective" in eff:
        tilt = _u(rng, 15, 48, eff["perspective"])
    elif clean:
        tilt = rng.uniform(0, 6)
    else:
        tilt = rng.uniform(2, 14)
    margin = fr.SS * (mod_out * 4 + 10)
    return S.pose_homography(rng, pw, ph, code_bb, mod_out * fr.SS, k, fr.W, fr.H, rot, tilt, margin)


def _composite(rng, prod, shade, prod_alpha, Hm, fr: _Frame):
    """The product composited into the scene, in linear light, with its contact shadow."""
    W, H, SS, OW, OH = fr.W, fr.H, fr.SS, fr.OW, fr.OH
    ph, pw = prod.shape[:2]
    bg_small = S.srgb_to_lin(S.make_background(rng, OH, OW))
    prod_lin = S.srgb_to_lin(prod)
    if shade is not None:
        prod_lin = prod_lin * shade[..., None]
    warped = cv2.warpPerspective(prod_lin, Hm, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    a_src = prod_alpha if prod_alpha is not None else np.ones((ph, pw), np.float32)
    alpha = cv2.warpPerspective(a_src, Hm, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    # contact shadow of the product on the background (low-res, smooth)
    Hs = np.diag([1 / SS, 1 / SS, 1]) @ Hm
    a_small = cv2.warpPerspective(a_src, Hs, (OW, OH), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    sh = cv2.GaussianBlur(a_small, (0, 0), rng.uniform(4, 14))
    sh = np.roll(sh, (int(rng.uniform(2, 10)), int(rng.uniform(-8, 8))), (0, 1))
    bg_small *= (1 - 0.45 * sh)[..., None]
    lin = cv2.resize(bg_small, (W, H), interpolation=cv2.INTER_LINEAR)
    lin = cv2.blendLinear(warped, lin, alpha, 1 - alpha)
    return lin, alpha


def _illuminate(rng, eff, clean, lin, code: _Code, xx, yy, fr: _Frame):
    """Light gradient, vignetting and a cast shadow; returns the lit scene and the paper white at the code."""
    W, H, SS, OW, OH = fr.W, fr.H, fr.SS, fr.OW, fr.OH
    ga = rng.uniform(0, 2 * math.pi)
    grad_amt = rng.uniform(0.0, 0.1) if clean else rng.uniform(0.05, 0.35)
    illum = 1.0 + grad_amt * ((xx / W - 0.5) * math.cos(ga) + (yy / H - 0.5) * math.sin(ga)) * 2
    r2 = ((xx - W / 2) ** 2 + (yy - H / 2) ** 2) / ((W / 2) ** 2 + (H / 2) ** 2)
    illum *= 1 - rng.uniform(0.05, 0.3) * r2               # vignetting
    del r2
    if "shadow" in eff:
        illum *= _shadow(rng, eff["shadow"], code, xx, yy, fr)
    illum = illum.astype(np.float32)
    # white paper brightness at the code, used for auto-exposure
    ci = (int(np.clip(code.centre[1] / SS, 0, OH - 1)), int(np.clip(code.centre[0] / SS, 0, OW - 1)))
    white_ref = float(illum[ci]) * 0.85
    lin *= fr.up(illum)[..., None]
    return lin, white_ref


def _shadow(rng, s, code: _Code, xx, yy, fr: _Frame):
    """The light left under a shadow edge, or under a pen or cable across the code."""
    SS = fr.SS
    depth = _u(rng, 0.75, 0.25, s)                    # fraction of light left in the shadow
    if rng.random() < 0.7:
        p = code.bil(rng.uniform(0.25, 0.75), rng.uniform(0.2, 0.8))
        a = rng.uniform(0, 2 * math.pi)
        d = (xx - p[0]) * math.cos(a) + (yy - p[1]) * math.sin(a)
        d += S.smooth_noise(rng, fr.OH, fr.OW, 5, 0.05 * code.w)
        soft = SS * rng.uniform(1.5, 25)
        m = 1 / (1 + np.exp(-d / soft))
    else:                                             # shadow of a pen / cable across the code
        p = code.bil(rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8))
        a = rng.uniform(0, 2 * math.pi)
        d = (xx - p[0]) * math.cos(a) + (yy - p[1]) * math.sin(a)
        wdt = rng.uniform(0.06, 0.18) * max(code.w, code.h)
        soft = SS * rng.uniform(2, 10)
        m = 1 / (1 + np.exp(-(wdt - np.abs(d)) / soft))
    return 1 - (1 - depth) * m


def _glare(rng, s, is_1d, lin, code: _Code, white_ref, xx, yy, fr: _Frame):
    """Specular glare (additive, colour of the light source), partly over the bars: spots or bands."""
    G = np.zeros((fr.OH, fr.OW), np.float32)
    nspots = int(rng.integers(1, 3))
    for _ in range(nspots):
        if rng.random() < 0.6:   # spot
            if is_1d:
                u, v = rng.uniform(0.1, 0.9), (rng.uniform(-0.1, 0.3) if rng.random() < 0.5 else rng.uniform(0.7, 1.1))
                rad = rng.uniform(0.12, 0.3) * code.h
            else:
                u, v = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85)
                rad = rng.uniform(0.07, 0.14) * max(code.w, code.h)
            p = code.bil(u, v)
            peak = _u(rng, 0.5, 2.2, s) / nspots ** 0.5
            G += peak * S.gaussian_blob(xx, yy, p[0], p[1], rad * rng.uniform(1, 2.5), rad, rng.uniform(0, math.pi))
        else:                    # band (glossy film / cylinder highlight)
            G += _glare_band(rng, s, is_1d, code, nspots, xx, yy)
    return lin + fr.up(white_ref * G)[..., None] * np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.88, 1.0)], np.float32)


def _glare_band(rng, s, is_1d, code: _Code, nspots, xx, yy):
    if is_1d:   # band running roughly along the scan direction, not down the bars
        p = code.bil(rng.uniform(0.3, 0.7), rng.uniform(0.05, 0.45) if rng.random() < .5 else rng.uniform(.55, .95))
        dirv = code.quad[1] - code.quad[0]
        ang = math.atan2(dirv[1], dirv[0]) + rng.uniform(-0.35, 0.35)
        wd = rng.uniform(0.06, 0.15) * code.h
    else:
        p = code.bil(rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8))
        ang = rng.uniform(0, math.pi)
        wd = rng.uniform(0.03, 0.07) * max(code.w, code.h)
    peak = _u(rng, 0.35, 1.6, s) / nspots ** 0.5
    d = -(xx - p[0]) * math.sin(ang) + (yy - p[1]) * math.cos(ang)
    along = (xx - p[0]) * math.cos(ang) + (yy - p[1]) * math.sin(ang)
    L = rng.uniform(0.6, 2.0) * max(code.w, code.h)
    return peak * np.exp(-0.5 * (d / wd) ** 2) * np.exp(-0.5 * (along / L) ** 4)


def _finger_pose(rng, s, is_1d, sym, code: _Code, mod_out, SS):
    """Where an occluding finger's tip lands, which way it points out of the frame, and its width."""
    cs = max(code.w, code.h)
    if is_1d:
        mode = rng.choice(["top", "bottom", "side"], p=[0.4, 0.3, 0.3])
        if mode == "side":
            qz_u = 10 * mod_out * SS / code.w
            side = rng.random() < 0.5
            pen = qz_u * _u(rng, 0.2, 0.6, s)
            u0 = -qz_u + pen if side else 1 + qz_u - pen
            v0 = rng.uniform(0.2, 0.8)
            tip = code.bil(u0, v0); out = code.bil(u0 + (-1 if side else 1), v0 + rng.uniform(-.5, .5)) - tip
            fw = rng.uniform(0.3, 0.45) * code.w
        else:
            pen = _u(rng, 0.12, 0.35, s) + (0.12 if mode == "bottom" else 0)
            u0 = rng.uniform(0.15, 0.85)
            v0 = pen if mode == "top" else 1 - pen
            tip = code.bil(u0, v0)
            out = code.bil(u0 + rng.uniform(-0.3, 0.3), -1.0 if mode == "top" else 2.0) - tip
            fw = rng.uniform(0.25, 0.45) * code.w
    else:
        pen = _u(rng, 0.05, 0.13, s)
        if sym == "PDF417":
            u0, v0 = rng.uniform(0.3, 0.7), (pen if rng.random() < .5 else 1 - pen)
            o = (u0 + rng.uniform(-.3, .3), -1.0 if v0 < .5 else 2.0)
        elif sym == "QRCode":
            u0, v0 = 1 - pen, 1 - pen
            o = (2.0, 2.0 + rng.uniform(-.8, .8))
        else:  # DataMatrix: keep the solid L finder; come in at the top-right
            u0, v0 = 1 - pen, pen
            o = (2.0, -1.0 + rng.uniform(-.8, .8))
        tip = code.bil(u0, v0); out = code.bil(*o) - tip
        fw = rng.uniform(0.45, 0.75) * cs
    return tip, out / (np.linalg.norm(out) + 1e-9), fw


def _finger(rng, s, is_1d, sym, lin, code: _Code, mod_out, white_ref, xx, yy, fr: _Frame):
    """An occluding finger, out of focus, casting a shadow."""
    SS = fr.SS
    tip, out, fw = _finger_pose(rng, s, is_1d, sym, code, mod_out, SS)
    c0 = tip + out * fw / 2
    c1 = c0 + out * fw * 6

    def capsule(c0, c1, r):
        v = c1 - c0
        t = np.clip(((xx - c0[0]) * v[0] + (yy - c0[1]) * v[1]) / (v @ v), 0, 1)
        dx = xx - (c0[0] + t * v[0]); dy = yy - (c0[1] + t * v[1])
        return np.sqrt(dx * dx + dy * dy) / r

    # shadow first
    off = np.array([rng.uniform(-1, 1), rng.uniform(-1, 1)]) * fw * 0.15
    dsh = capsule(c0 + off, c1 + off, fw / 2 * 1.05)
    shm = cv2.GaussianBlur(np.clip(1.0 - dsh, 0, 1) * 4, (0, 0), fw * 0.12 / SS).clip(0, 1)
    lin *= fr.up(1 - rng.uniform(0.3, 0.55) * shm)[..., None]
    dfi = capsule(c0, c1, fw / 2)
    fm = np.clip((1.0 - dfi) * fw / 2 / (SS * 1.5), 0, 1)
    fm = fr.up(cv2.GaussianBlur(fm, (0, 0), rng.uniform(1.0, 4.0)))       # finger is out of focus
    skin = S.srgb_to_lin(np.array(SKIN[int(rng.integers(0, len(SKIN)))], np.float32))
    fshade = (0.35 + 0.65 * np.sqrt(np.clip(1 - np.minimum(dfi, 1) ** 2, 0, 1))) * white_ref * rng.uniform(0.7, 1.1)
    fshade = fr.up(fshade)
    return lin * (1 - fm[..., None]) + (fshade[..., None] * skin) * fm[..., None]


def _optics(rng, eff, clean, lin, mod_out, fr: _Frame):
    SS = fr.SS
    lens_sigma = SS * (rng.uniform(0.3, 0.5) if clean else rng.uniform(0.4, 0.75))
    lin = cv2.GaussianBlur(lin, (0, 0), lens_sigma)
    if "defocus" in eff:
        r = mod_out * SS * _u(rng, 0.45, 1.05, eff["defocus"])
        lin = cv2.filter2D(lin, -1, S.disk_kernel(r))
    if "motion_blur" in eff:
        L = mod_out * SS * _u(rng, 0.7, 1.8, eff["motion_blur"])
        lin = cv2.filter2D(lin, -1, S.motion_kernel(L, rng.uniform(0, 180)))
    return lin


def _sample(rng, eff, lin, alpha, fr: _Frame):
    """Sensor sampling of the scene grid down to the photo (with moire when asked)."""
    if "moire" not in eff:
        return cv2.resize(lin, (fr.OW, fr.OH), interpolation=cv2.INTER_AREA)
    s = eff["moire"]
    yy, xx = np.mgrid[0:fr.H, 0:fr.W].astype(np.float32)
    pitch = fr.SS * rng.uniform(0.88, 1.14) * (1 if rng.random() < .6 else 2)
    a = math.radians(rng.uniform(-6, 6))
    xr = xx * math.cos(a) + yy * math.sin(a); yr = -xx * math.sin(a) + yy * math.cos(a)
    amp = _u(rng, 0.2, 0.55, s)
    if rng.random() < 0.65:      # photographing a screen: RGB sub-pixel stripes + black matrix rows
        grid = np.stack([0.5 + 0.5 * np.cos(2 * math.pi * (xr / pitch - ph_)) for ph_ in (0, 1 / 3, 2 / 3)], -1)
        rows = 0.5 + 0.5 * np.cos(2 * math.pi * yr / pitch)
        g = (1 - amp) + amp * (0.5 * grid + 0.5 * rows[..., None])
    else:                        # printed halftone screen interfering with the sensor grid
        dots = (0.5 + 0.25 * np.cos(2 * math.pi * xr / pitch) + 0.25 * np.cos(2 * math.pi * yr / pitch))
        g = ((1 - amp) + amp * dots)[..., None]
    g /= (1 - amp / 2)
    m3 = alpha[..., None]
    lin = lin * (1 - m3 + m3 * g.astype(np.float32))
    return cv2.resize(lin, (fr.OW, fr.OH), interpolation=cv2.INTER_NEAREST if rng.random() < .5 else cv2.INTER_LINEAR)


def _expose(rng, eff, clean, img, white_ref):
    """Auto-exposure on the paper white, shot and read noise, and the phone's chroma denoise."""
    if "dim_noisy" in eff:
        s = eff["dim_noisy"]
        target_white = _u(rng, 0.55, 0.28, s)
        full_e = _u(rng, 400, 35, s)       # electrons collected for paper white (very little light)
        read_e = rng.uniform(1.5, 4.0)
    elif clean:
        target_white = rng.uniform(0.78, 0.9); full_e = rng.uniform(3000, 8000); read_e = 1.5
    else:
        target_white = rng.uniform(0.65, 0.9); full_e = rng.uniform(700, 4000); read_e = rng.uniform(1.5, 3)
    gain = target_white / max(white_ref, 1e-3)
    img = img * gain
    e = np.clip(img, 0, None) * np.float32(full_e / target_white)
    # shot noise (Gaussian approx. of Poisson) + read noise
    e = e + np.sqrt(e + np.float32(read_e ** 2)) * rng.standard_normal(e.shape, dtype=np.float32)
    img = np.clip(e / full_e * target_white, 0, 1)
    del e
    if "dim_noisy" in eff or full_e < 300:     # phone ISP chroma denoise
        ycc = cv2.cvtColor(img.astype(np.float32), cv2.COLOR_RGB2YCrCb)
        ycc[..., 1] = cv2.GaussianBlur(ycc[..., 1], (0, 0), 2.0)
        ycc[..., 2] = cv2.GaussianBlur(ycc[..., 2], (0, 0), 2.0)
        if rng.random() < 0.5:
            ycc[..., 0] = cv2.GaussianBlur(ycc[..., 0], (0, 0), 0.6)
        img = cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)
    return img


def _develop(rng, eff, img):
    """White balance (or a cast), gamma, a mild S-curve and the ISP's sharpening: 8-bit sRGB."""
    if "colour_cast" in eff:
        s = eff["colour_cast"]
        casts = [(1.0, 0.72, 0.42), (0.82, 1.0, 0.7), (0.62, 0.8, 1.0), (1.0, 0.6, 0.9), (1.0, 0.85, 0.3),
                 (0.55, 1.0, 0.95)]
        c = np.array(casts[int(rng.integers(0, len(casts)))], np.float32)
        c = 1 - (1 - c) * min(1.0, s * rng.uniform(0.85, 1.15))
        img = img * (c / c.max())[None, None, :] * rng.uniform(1.0, 1.15)
    else:
        img = img * (1 + rng.uniform(-0.05, 0.05, 3)).astype(np.float32)[None, None, :]
    gamma = rng.uniform(2.0, 2.4) if "dim_noisy" not in eff else rng.uniform(1.9, 2.6)
    out = S.lin_to_srgb(img, gamma)
    out = np.clip(out + rng.uniform(0.0, 0.12) * (out - 0.5) * (1 - np.abs(2 * out - 1)), 0, 1)  # mild S-curve
    out = (out * 255).astype(np.float32)
    # ISP sharpening
    amt = rng.uniform(0.2, 0.5) if "dim_noisy" not in eff else rng.uniform(0.1, 0.3)
    out = out + amt * (out - cv2.GaussianBlur(out, (0, 0), 1.2))
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _jpeg(rng, eff, clean, out8):
    if "jpeg_heavy" in eff:
        q = int(round(_u(rng, 50, 20, eff["jpeg_heavy"])))
    elif clean:
        q = int(rng.integers(88, 95))
    else:
        q = int(rng.integers(72, 93))
    data = S.jpeg_bytes(out8, q)
    while len(data) > 1_450_000 and q > 20:
        q -= 8
        data = S.jpeg_bytes(out8, q)
    return data, q


def assign_symbologies(seed: int, cond: str, count: int):
    if cond == "no_code":
        return ["none"] * count
    rng = np.random.default_rng([seed, CONDITIONS.index(cond), 104729])
    off = int(rng.integers(0, len(SYMBOLOGIES)))
    syms = [SYMBOLOGIES[(i + off) % len(SYMBOLOGIES)] for i in range(count)]
    rng.shuffle(syms)
    return syms
