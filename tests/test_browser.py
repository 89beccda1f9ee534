"""The headless-Chromium harness (tests/browser.py) against pages whose DOM, picture and requests are known.

Chromium is required, never skipped: without it these tests fail and say how to install it.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from tests.browser import INSTALL_HINT, BrowserError, _unexplained, is_blank, render

# Small viewports: the tests are about the harness, and a smaller screenshot is quicker to write and read.
WIDTH, HEIGHT = 400, 300


def _page(tmp_path: Path, html: str) -> Path:
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    return page


def test_remote_image_script_and_font_are_each_reported(tmp_path: Path) -> None:
    # GIVEN a page that loads an image, a script and a web font from another host (two over http, one over https)
    page = _page(
        tmp_path,
        """<!doctype html><html><head>
        <style>
          @font-face { font-family: Remote; src: url(http://example.com/f.woff); }
          body { font-family: Remote; }
        </style>
        <script src="https://example.com/s.js"></script>
        </head><body><p>text in the remote font</p><img src="http://example.com/x.png" alt=""></body></html>""",
    )

    # WHEN it is rendered
    rendered = render(page, tmp_path, width=WIDTH, height=HEIGHT)

    # THEN each of the three URLs is reported, the https one with its path, and nothing else (no browser noise)
    assert set(rendered.requests) == {
        "http://example.com/x.png",
        "https://example.com/s.js",
        "http://example.com/f.woff",
    }, rendered.requests


def test_self_contained_page_makes_no_request_and_its_dom_and_picture_are_rendered(tmp_path: Path) -> None:
    # GIVEN a page with only inline CSS, an inline SVG rectangle, and inline script that edits the DOM at once and
    # after a timer
    page = _page(
        tmp_path,
        """<!doctype html><html><head><style>body { margin: 0; background: #fff; }</style></head><body>
        <svg width="120" height="80"><rect width="120" height="80" fill="#1f77b4"/></svg>
        <p id="late"></p>
        <script>
          document.body.dataset.rendered = 'yes';
          setTimeout(() => { document.getElementById('late').textContent = 'drawn by a ' + 'timer'; }, 300);
        </script></body></html>""",
    )

    # WHEN it is rendered
    rendered = render(page, tmp_path, width=WIDTH, height=HEIGHT)

    # THEN it tried no request; the DOM is the one the scripts made (neither string is in the page's source); and
    # the rectangle makes the screenshot non-blank
    assert rendered.requests == ()
    assert 'data-rendered="yes"' in rendered.dom
    assert "drawn by a timer" in rendered.dom
    assert not is_blank(rendered.screenshot)
    # AND the only request left out as Chromium's own is the sign-in service's, sent to a port Chromium refuses
    assert all(url.startswith("http://127.0.0.1:1/") for url in rendered.browser_internal), rendered.browser_internal


def test_empty_white_page_gives_a_blank_screenshot(tmp_path: Path) -> None:
    # GIVEN a page with nothing to show on a white background
    page = _page(tmp_path, "<!doctype html><html><body style='background: #fff'></body></html>")

    # WHEN it is rendered
    rendered = render(page, tmp_path, width=WIDTH, height=HEIGHT)

    # THEN the screenshot is one colour, and the page tried no request
    assert is_blank(rendered.screenshot)
    assert rendered.requests == ()


def test_missing_chromium_fails_and_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the Chromium to use is one that does not exist
    monkeypatch.setenv("TRAILWATCH_CHROMIUM", str(tmp_path / "no-such-chromium"))
    page = _page(tmp_path, "<!doctype html><p>x</p>")

    # WHEN a page is rendered THEN it fails with the way to install Chromium
    with pytest.raises(BrowserError, match="apt-get install -y chromium") as raised:
        render(page, tmp_path)
    assert INSTALL_HINT in str(raised.value)


def test_page_that_never_finishes_loading_fails_after_the_timeout(tmp_path: Path) -> None:
    # GIVEN a page whose script never returns, so it never finishes loading
    page = _page(tmp_path, "<!doctype html><script>while (true) {}</script>")

    # WHEN it is rendered with a short timeout THEN Chromium is stopped and the failure says why
    with pytest.raises(BrowserError, match="did not finish within 1 s"):
        render(page, tmp_path, width=WIDTH, height=HEIGHT, timeout_s=1)


def test_proxy_lines_the_netlog_does_not_account_for_are_reported() -> None:
    # GIVEN the proxy's record and the NetLog's URLs of one run
    lines = [
        "CONNECT example.com:443 HTTP/1.1",  # the https URL's tunnel
        "GET http://example.com/x.png HTTP/1.1",
        "CONNECT other.example:443 HTTP/1.1",  # no URL for it
        "GET http://example.com:8080/y HTTP/1.1",  # same host, other port
        "garbage",
    ]
    urls = ["https://example.com/s.js", "http://example.com/x.png"]

    # WHEN the two are compared THEN the connections no URL explains are the ones reported
    assert _unexplained(lines, urls) == [
        "CONNECT other.example:443 HTTP/1.1",
        "GET http://example.com:8080/y HTTP/1.1",
        "garbage",
    ]


# --- is_blank on PNGs written here, one filter type at a time ------------------------------------------------------


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _predict(kind: int, a: int, b: int, c: int) -> int:
    return [0, a, b, (a + b) >> 1, _paeth(a, b, c)][kind]


def _png(
    pixels: list[list[tuple[int, ...]]],
    *,
    kinds: list[int],
    bit_depth: int = 8,
    colour_type: int | None = None,
    interlace: int = 0,
) -> bytes:
    """A PNG of ``pixels`` (rows of RGB or RGBA tuples), scanline y filtered with ``kinds[y % len(kinds)]``."""
    bpp = len(pixels[0][0])
    scanlines = bytearray()
    above = [0] * (len(pixels[0]) * bpp)
    for y, row in enumerate(pixels):
        kind = kinds[y % len(kinds)]
        values = [value for pixel in row for value in pixel]
        scanlines.append(kind)
        for i, value in enumerate(values):
            left = values[i - bpp] if i >= bpp else 0
            upper_left = above[i - bpp] if i >= bpp else 0
            scanlines.append((value - _predict(kind, left, above[i], upper_left)) % 256)
        above = values

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    colour = colour_type if colour_type is not None else {3: 2, 4: 6}[bpp]
    header = struct.pack(">IIBBBBB", len(pixels[0]), len(pixels), bit_depth, colour, 0, 0, interlace)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(scanlines)))
        + chunk(b"IEND", b"")
    )


FILTERS = {"none": [0], "sub": [1], "up": [2], "average": [3], "paeth": [4], "mixed": [4, 3, 0, 2, 1]}
COLOURS = {"rgb": (200, 100, 7), "rgba": (200, 100, 7, 255)}


@pytest.mark.parametrize("colour", COLOURS.values(), ids=COLOURS.keys())
@pytest.mark.parametrize("kinds", FILTERS.values(), ids=FILTERS.keys())
def test_one_colour_png_is_blank_and_one_different_pixel_is_not(
    tmp_path: Path, kinds: list[int], colour: tuple[int, ...]
) -> None:
    # GIVEN 7x6 PNGs of one colour, and copies with one pixel changed in one channel (alpha too) at the corners
    # and in the middle
    width, height = 7, 6
    blank = tmp_path / "blank.png"
    blank.write_bytes(_png([[colour] * width for _ in range(height)], kinds=kinds))
    spotted = []
    for x, y in [(0, 0), (width - 1, 0), (3, 2), (0, height - 1), (width - 1, height - 1)]:
        for channel in range(len(colour)):
            pixels = [[colour] * width for _ in range(height)]
            changed = list(colour)
            changed[channel] = (changed[channel] + 1) % 256
            pixels[y][x] = tuple(changed)
            path = tmp_path / f"spot-{x}-{y}-{channel}.png"
            path.write_bytes(_png(pixels, kinds=kinds))
            spotted.append(path)

    # WHEN is_blank reads them THEN only the one-colour PNG is blank
    assert is_blank(blank)
    assert [path.name for path in spotted if is_blank(path)] == []


def test_black_and_white_stripes_are_not_blank(tmp_path: Path) -> None:
    # GIVEN a PNG whose rows alternate black and white, Paeth-filtered (rows that each are one colour)
    png = tmp_path / "stripes.png"
    png.write_bytes(_png([[(0, 0, 0)] * 5, [(255, 255, 255)] * 5] * 3, kinds=[4]))

    # WHEN is_blank reads it THEN it is not blank
    assert not is_blank(png)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"bit_depth": 16}, "bit depth 16"),
        ({"colour_type": 3}, "colour type 3"),
        ({"interlace": 1}, "interlace 1"),
    ],
    ids=["16-bit", "palette", "interlaced"],
)
def test_png_other_than_8_bit_rgb_or_rgba_is_rejected(tmp_path: Path, options: dict[str, int], message: str) -> None:
    # GIVEN a PNG in a form Chromium does not write
    png = tmp_path / "other.png"
    png.write_bytes(_png([[(1, 2, 3)] * 2] * 2, kinds=[0], **options))

    # WHEN is_blank reads it THEN it says what is unsupported
    with pytest.raises(ValueError, match=message):
        is_blank(png)


def test_not_a_png_is_rejected(tmp_path: Path) -> None:
    # GIVEN a file that is not a PNG
    path = tmp_path / "page.png"
    path.write_bytes(b"<html></html>")

    # WHEN is_blank reads it THEN it says so
    with pytest.raises(ValueError, match="not a PNG"):
        is_blank(path)
