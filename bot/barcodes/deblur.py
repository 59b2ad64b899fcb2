"""Undoing some of the blur of a shaky or out-of-focus photo.

Defocus spreads every edge like a Gaussian (roughly), a moving phone like a
box along the motion. Wiener deconvolution with such a kernel gives back much
of the contrast of thin bars, as long as the noise is low: along the bars of a
linear code we average many rows first, which makes it low. The kernel's
width is guessed from how steep the steepest edges still are.
"""
from __future__ import annotations

import math

import cv2
import numpy as np


def sharpen(gray: np.ndarray, sigma: float, amount: float = 1.0) -> np.ndarray:
    """Unsharp mask: steepens edges that defocus or motion blur have spread out."""
    return cv2.addWeighted(gray, 1.0 + amount, cv2.GaussianBlur(gray, (0, 0), sigma), -amount, 0)


def gaussian_kernel(sigma: float) -> np.ndarray:
    r = max(1, int(3 * sigma + 0.5))
    x = np.arange(-r, r + 1, dtype=np.float64)
    g = np.exp(-x * x / (2 * sigma * sigma))
    return g / g.sum()


def box_kernel(length: int) -> np.ndarray:
    return np.full(length, 1.0 / length)


def edge_spread(values: np.ndarray, slopes: np.ndarray) -> float:
    """The blur's sigma, guessed: a step of contrast C blurred by a Gaussian of sigma s
    has a steepest slope of C / (s * sqrt(2 pi)) ~ C / (2.5 s)."""
    contrast = float(np.percentile(values, 95) - np.percentile(values, 5))
    steepest = float(np.percentile(np.abs(slopes), 99.5))
    if contrast <= 1e-3 or steepest <= 1e-6:
        return 0.0
    return contrast / (2.5 * steepest)


class Wiener1D:
    """Wiener deconvolution of profiles of one length: filters are built once and
    applied to every band."""

    def __init__(self, n: int):
        self.n = n
        self.size = cv2.getOptimalDFTSize(2 * n + 64)
        self.left = (self.size - n) // 2

    def filter(self, kernel: np.ndarray, noise: float) -> np.ndarray:
        k = np.zeros(self.size)
        k[:len(kernel)] = kernel
        h = np.fft.rfft(np.roll(k, -(len(kernel) // 2)))
        return np.conj(h) / (np.abs(h) ** 2 + noise)

    def spectrum(self, profile: np.ndarray) -> np.ndarray:
        padded = np.empty(self.size)
        padded[:self.left] = profile[0]  # edge values: no false edge where the padding starts
        padded[self.left:self.left + self.n] = profile
        padded[self.left + self.n:] = profile[-1]
        return np.fft.rfft(padded)

    def apply(self, spectrum: np.ndarray, wiener_filter: np.ndarray) -> np.ndarray:
        return np.fft.irfft(spectrum * wiener_filter, self.size)[self.left:self.left + self.n]


def _padded(image: np.ndarray, reach: float) -> tuple[np.ndarray, int, int]:
    """The image with edge values round it (no false edges at the border), at a size the FFT likes."""
    f = image.astype(np.float32)
    h, w = f.shape
    ph, pw = cv2.getOptimalDFTSize(h + 2 * int(reach + 8)), cv2.getOptimalDFTSize(w + 2 * int(reach + 8))
    top, left = (ph - h) // 2, (pw - w) // 2
    return cv2.copyMakeBorder(f, top, ph - h - top, left, pw - w - left, cv2.BORDER_REPLICATE), top, left


def _wiener(image: np.ndarray, padded: np.ndarray, top: int, left: int, transfer: np.ndarray, noise: float) -> np.ndarray:
    h, w = image.shape
    out = np.fft.irfft2(np.fft.rfft2(padded) * (np.conj(transfer) / (np.abs(transfer) ** 2 + noise)), padded.shape)
    return np.clip(out[top:top + h, left:left + w], 0, 255).astype(np.uint8)


def wiener_2d(image: np.ndarray, sigma: float, noise: float) -> np.ndarray:
    """A 2D code deconvolved for a Gaussian defocus of `sigma` pixels."""
    padded, top, left = _padded(image, 3 * sigma)
    fy = np.fft.fftfreq(padded.shape[0])[:, None]
    fx = np.fft.rfftfreq(padded.shape[1])[None, :]
    transfer = np.exp(-2 * math.pi ** 2 * sigma ** 2 * (fx ** 2 + fy ** 2))  # a Gaussian's spectrum: real, > 0
    return _wiener(image, padded, top, left, transfer, noise)


def wiener_disk(image: np.ndarray, radius: float, noise: float) -> np.ndarray:
    """A 2D code deconvolved for a lens out of focus: every point spread evenly over a disk of
    `radius` pixels (the aperture's image). Its spectrum has rings of zeros, which a Gaussian
    model cannot undo; at the right radius this gives back modules a Gaussian leaves grey."""
    padded, top, left = _padded(image, 2 * radius)
    reach = int(math.ceil(radius))
    yy, xx = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    disk = np.clip(radius + 0.5 - np.sqrt(xx * xx + yy * yy), 0, 1).astype(np.float32)  # edge pixels in part
    kernel = np.zeros(padded.shape, np.float32)
    kernel[:2 * reach + 1, :2 * reach + 1] = disk / disk.sum()
    transfer = np.fft.rfft2(np.roll(kernel, (-reach, -reach), (0, 1)))  # centred on pixel (0, 0)
    return _wiener(image, padded, top, left, transfer, noise)


def blur_of_image(image: np.ndarray) -> float:
    """Edge spread of a 2D cut, from its gradient magnitudes."""
    f = image.astype(np.float32)
    gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3) / 8
    return edge_spread(f, np.sqrt(gx * gx + gy * gy))
