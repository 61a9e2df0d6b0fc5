"""Just enough PNG for the Teams app icons: write 8-bit RGBA, and read any non-interlaced 8-bit PNG
back to check its size and pixels. Standard library only, so Pillow stays a stranger at run time."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
Pixel = tuple[int, int, int, int]
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # grey, RGB, grey+alpha, RGBA (palette not supported)


class PngError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class Image:
    width: int
    height: int
    has_alpha: bool
    pixels: tuple[Pixel, ...]  # row by row, RGBA


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode(*, width: int, height: int, pixels: list[Pixel]) -> bytes:
    if len(pixels) != width * height:
        raise PngError("pixel count does not match the size")
    rows = b"".join(b"\x00" + b"".join(bytes(p) for p in pixels[y * width:(y + 1) * width])
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))


def size(data: bytes) -> tuple[int, int]:
    if not data.startswith(SIGNATURE) or data[12:16] != b"IHDR":
        raise PngError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def decode(data: bytes) -> Image:
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG file")
    position, header, compressed = len(SIGNATURE), None, b""
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if len(body) != length:
            raise PngError("PNG is cut short")
        if kind == b"IHDR":
            if length != 13:
                raise PngError("PNG header has the wrong length")
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    if header is None:
        raise PngError("PNG has no header")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise PngError("only non-interlaced 8-bit grey, RGB or RGBA PNGs are supported")
    channels = _CHANNELS[colour]
    stride = width * channels
    try:
        raw = zlib.decompress(compressed)
    except zlib.error as error:
        raise PngError(f"corrupt image data: {error}") from None
    if len(raw) != height * (stride + 1):
        raise PngError("image data does not match the size")
    previous = bytearray(stride)
    pixels: list[Pixel] = []
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                row[i] = (row[i] + _paeth(left, up, corner)) & 0xFF
            elif kind != 0:
                raise PngError(f"unknown filter type {kind}")
        for x in range(width):
            value = row[x * channels:(x + 1) * channels]
            if channels == 1:
                pixels.append((value[0], value[0], value[0], 255))
            elif channels == 2:
                pixels.append((value[0], value[0], value[0], value[1]))
            elif channels == 3:
                pixels.append((value[0], value[1], value[2], 255))
            else:
                pixels.append((value[0], value[1], value[2], value[3]))
        previous = row
    return Image(width=width, height=height, has_alpha=colour in (4, 6), pixels=tuple(pixels))
