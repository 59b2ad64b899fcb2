"""A fake camera for Chromium: a Y4M video of barcodes passing in front of it,
moving, slightly tilted and blurred, as a phone held over labels would see them.
Chromium plays it (looped) as the camera with --use-file-for-fake-video-capture."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import zxingcpp

W, H, FPS = 480, 360, 8


def render(code: str) -> np.ndarray:
    fmt = zxingcpp.BarcodeFormat.EAN13 if code.isdigit() and len(code) == 13 else zxingcpp.BarcodeFormat.Code128
    img = np.asarray(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(code, fmt), scale=2))
    return cv2.copyMakeBorder(img, 16, 16, 24, 24, cv2.BORDER_CONSTANT, value=255)


def frame_with(code_img: np.ndarray | None, t: float, seed: int) -> np.ndarray:
    """One grey frame: a desk-like background with the label sliding, tilted a few degrees, a little blurred."""
    rng = np.random.default_rng(seed)
    frame = np.full((H, W), 96, np.uint8)
    frame = cv2.add(frame, rng.integers(0, 18, (H, W), dtype=np.uint8))
    if code_img is not None:
        h, w = code_img.shape
        angle = 6 * np.sin(2.1 * t + seed)
        cx, cy = W / 2 + 40 * np.sin(1.3 * t + seed), H / 2 + 18 * np.cos(1.7 * t)
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        m[0, 2] += cx - w / 2
        m[1, 2] += cy - h / 2
        label = cv2.warpAffine(code_img, m, (W, H), flags=cv2.INTER_LINEAR, borderValue=0)
        mask = cv2.warpAffine(np.full_like(code_img, 255), m, (W, H), flags=cv2.INTER_NEAREST, borderValue=0)
        frame = np.where(mask > 0, label, frame).astype(np.uint8)
        frame = cv2.GaussianBlur(frame, (3, 3), 0.6 + 0.4 * abs(np.sin(3 * t)))
    return frame


def write_y4m(path: Path, schedule: list[tuple[str | None, float]]) -> float:
    """Writes the video: each (code or None for an empty view, seconds). Returns its length in seconds."""
    images = {c: render(c) for c, _ in schedule if c}
    total = 0.0
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{W} H{H} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        n = 0
        for code, seconds in schedule:
            for _ in range(max(1, round(seconds * FPS))):
                y = frame_with(images.get(code) if code else None, n / FPS, n)
                out.write(b"FRAME\n" + y.tobytes() + np.full(W * H // 2, 128, np.uint8).tobytes())
                n += 1
        total = n / FPS
    return total
