"""A local HTML file in headless Chromium, for tests: its rendered DOM, a screenshot, every network request it tried.

``render(page, workdir)`` opens ``page`` (a ``file://`` URL) in one headless Chromium run and returns a `Rendered`:

- ``dom``: the DOM after the page has loaded and its timers have run (``--dump-dom`` after a virtual-time budget,
  so ``setTimeout``/``requestAnimationFrame`` drawing has happened);
- ``screenshot``: a PNG of the viewport (``width`` x ``height`` CSS pixels at scale 1); `is_blank` says whether
  every pixel in it is the same colour (standard library only);
- ``requests``: every network request the page tried, empty for a self-contained page.

No byte leaves the machine. Every request goes to a sink proxy on 127.0.0.1 that answers 502 (even loopback
requests, ``<-loopback>``), and the host resolver maps every name but 127.0.0.1 to "not found".

How requests are observed
-------------------------
Two records, neither trusted alone:

1. Chromium's NetLog (``--log-net-log``): every URL request of the network service with its full URL (also the path
   of an ``https://`` URL, which a proxy sees only as ``CONNECT host:443``) and its *traffic annotation*, the id of
   the Chromium code that issued it; and every preconnect (``<link rel=preconnect>``).
2. The sink proxy: the first line of every connection made to it (``GET http://host/path HTTP/1.1``,
   ``CONNECT host:443 HTTP/1.1``).

``requests`` is the NetLog's URLs of the page, then every proxy line whose host and port none of those URLs has, so
a request the NetLog missed still shows: the proxy's record is only de-duplicated against the page's own URLs, never
filtered. Connections that sent nothing are not requests (they name no destination; a page's preconnect is in the
NetLog with its URL).

The browser's own requests
--------------------------
A fresh profile of Chromium 150 asks Google for four things at start-up, whatever the page and despite
``--disable-background-networking`` (measured with the NetLog; annotation ids are Chromium's hash of the
annotation's name, ``net::recursive_hash``):

=============================================  =======================  ============================================
request                                        traffic annotation       silenced by
=============================================  =======================  ============================================
``http://clients2.google.com/time/1/current``  network_time_component   ``--disable-features=NetworkTimeService...``
``https://www.google.com/async/folae?...``     aim_eligibility_fetch    ``--disable-features=AimEnabled``
preconnects to ``https://www.google.com/``     (none: a preconnect)     ``--disable-features=PreconnectToSearch``
``https://accounts.google.com/ListAccounts``   gaia_auth_list_accounts  nothing; ``--gaia-url`` moves it
=============================================  =======================  ============================================

The last one (Google accounts in the cookie jar, asked at profile start by the sign-in code) has no switch, feature
or preference that stops it, so ``--gaia-url=http://127.0.0.1:1/`` points it at an unsafe port, which Chromium
refuses before opening a socket (``ERR_UNSAFE_PORT``): it never reaches the proxy, and its NetLog entry carries the
``gaia_auth_list_accounts`` annotation. NetLog entries with one of these three annotations (`BROWSER_INTERNAL`) go
to ``Rendered.browser_internal``, not ``requests``: the annotation proves that Chromium's own service issued them
(a page's subresources are ``blink_resource_loader``, its frames ``navigation_url_loader``, its WebSockets
``websocket_stream``). Nothing else is filtered: if a later Chromium starts another background request, it shows
in ``requests`` and the test says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socketserver
import struct
import subprocess
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

ENV_VAR = "TRAILWATCH_CHROMIUM"
"""Path (or command name) of the Chromium or Chrome binary to use instead of the one found on PATH."""

NAMES = ("chromium", "chromium-browser", "google-chrome")
"""Looked up on PATH in this order."""

INSTALL_HINT = (
    "the browser tests need Chromium: install Debian's package with `sudo apt-get install -y chromium` "
    f"(.ci/run does this), or set {ENV_VAR}=/path/to/chrome"
)

BROWSER_INTERNAL = {
    46188932: "network_time_component",
    35565745: "gaia_auth_list_accounts",
    109231476: "aim_eligibility_fetch",
}
"""Traffic annotations (hash -> name) of Chromium's own start-up requests; see the module docstring."""

_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}
_PROXY_READ_TIMEOUT_S = 5.0


class BrowserError(RuntimeError):
    """Chromium is missing, failed, or did not produce what was asked."""


@dataclass(frozen=True)
class Rendered:
    """What one headless Chromium run made of a page."""

    dom: str
    """The serialised DOM (``--dump-dom``) after load and the virtual-time budget."""
    screenshot: Path
    """PNG of the viewport."""
    requests: tuple[str, ...]
    """Every network request the page tried, in order, without repeats: URLs, or a proxy's request line."""
    browser_internal: tuple[str, ...] = ()
    """Chromium's own requests, left out of ``requests`` (see `BROWSER_INTERNAL`); for diagnosis only."""


def chromium_path() -> str | None:
    """The Chromium binary: ``$TRAILWATCH_CHROMIUM`` if set, else the first of `NAMES` on PATH; None if absent."""
    override = os.environ.get(ENV_VAR)
    if override:
        return shutil.which(override)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def render(
    page: Path,
    workdir: Path,
    *,
    width: int = 1280,
    height: int = 2000,
    settle_ms: int = 5000,
    timeout_s: float = 60.0,
    dark: bool = False,
) -> Rendered:
    """Opens ``page`` in headless Chromium (one run), with the screenshot and the run's files under ``workdir``.

    ``settle_ms`` is the virtual-time budget after load: the page's timers run that far ahead, at no real cost.
    ``dark`` renders with the reader's preference for a dark scheme (``--force-dark-mode``: the page's
    ``prefers-color-scheme: dark`` rules apply).
    Raises `BrowserError` (with Chromium's stderr) if Chromium is missing, fails or runs over ``timeout_s``.
    """
    page = page.resolve()
    if not page.is_file():
        raise FileNotFoundError(f"no page to render at {page}")
    binary = chromium_path()
    if binary is None:
        raise BrowserError(_missing_chromium())
    workdir.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="chromium-", dir=workdir))
    screenshot = run_dir / "screenshot.png"
    netlog = run_dir / "netlog.json"
    profile = run_dir / "profile"
    with _SinkProxy() as proxy:
        command = [
            binary,
            *_flags(proxy_port=proxy.port, profile=profile, width=width, height=height, settle_ms=settle_ms),
            *(["--force-dark-mode"] if dark else []),
            f"--log-net-log={netlog}",
            "--dump-dom",
            f"--screenshot={screenshot}",
            page.as_uri(),
        ]
        returncode, stdout, stderr = _run(command, timeout_s)
    proxy_lines = proxy.lines()
    shutil.rmtree(profile, ignore_errors=True)

    def fail(problem: str) -> BrowserError:
        return BrowserError(
            f"{problem}\ncommand: {' '.join(command)}\nfiles: {run_dir}\nchromium's stderr (tail):\n{stderr[-4000:]}"
        )

    if returncode != 0:
        raise fail(f"chromium exited with status {returncode}")
    if not stdout.strip():
        raise fail("chromium printed no DOM")
    if not screenshot.is_file() or screenshot.stat().st_size == 0:
        raise fail(f"chromium wrote no screenshot at {screenshot}")
    try:
        page_urls, internal_urls = _netlog_requests(netlog)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise fail(f"unreadable NetLog {netlog}: {error!r}") from error
    requests = [*page_urls, *_unexplained(proxy_lines, page_urls)]
    return Rendered(
        dom=stdout,
        screenshot=screenshot,
        requests=tuple(dict.fromkeys(requests)),
        browser_internal=tuple(dict.fromkeys(internal_urls)),
    )


def _missing_chromium() -> str:
    override = os.environ.get(ENV_VAR)
    if override:
        return f"{ENV_VAR}={override!r} is not an executable; {INSTALL_HINT}"
    return f"no Chromium on PATH (looked for {', '.join(NAMES)}); {INSTALL_HINT}"


def _flags(*, proxy_port: int, profile: Path, width: int, height: int, settle_ms: int) -> list[str]:
    return [
        # New headless mode (the old one left Chromium in 132); no sandbox, as CI runs as root.
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        # CI containers often have a 64 MB /dev/shm, too small for a large screenshot. Debian's launcher adds this
        # flag when /dev/shm is small, but its test breaks when findmnt prints two lines (as on this CI image).
        "--disable-dev-shm-usage",
        # A fresh, quiet profile: no first-run UI, sync, default apps or component downloads.
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-component-update",
        "--disable-background-networking",
        # Chromium's start-up requests that --disable-background-networking leaves on (module docstring).
        "--disable-features=NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch",
        "--gaia-url=http://127.0.0.1:1/",
        # Nothing leaves the machine: every request goes to the sink proxy, loopback ones too, and no name resolves.
        f"--proxy-server=http://127.0.0.1:{proxy_port}",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        # WebRTC would otherwise send UDP (which no HTTP proxy carries) to IP addresses directly.
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        # The picture: a fixed viewport, no scrollbars, and the page's timers run before the DOM and screenshot.
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        f"--virtual-time-budget={settle_ms}",
    ]


def _run(command: list[str], timeout_s: float) -> tuple[int, str, str]:
    """Runs Chromium in its own process group, so that a timeout ends the browser and all of its children."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        tail = stderr.decode("utf-8", "replace")[-4000:]
        raise BrowserError(
            f"chromium did not finish within {timeout_s:g} s\ncommand: {' '.join(command)}\n"
            f"chromium's stderr (tail):\n{tail}"
        ) from None
    return process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


def _netlog_requests(netlog: Path) -> tuple[list[str], list[str]]:
    """(the page's URLs, Chromium's own URLs) from a NetLog, in order: URL requests and preconnects."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    constants = log["constants"]
    request_alive = constants["logEventTypes"]["REQUEST_ALIVE"]
    stream_job = constants["logEventTypes"]["HTTP_STREAM_JOB_CONTROLLER"]
    begin = constants["logEventPhase"]["PHASE_BEGIN"]
    page: list[str] = []
    internal: list[str] = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event.get("phase") != begin or "url" not in params:
            continue
        if event["type"] == request_alive:
            if params.get("traffic_annotation") in BROWSER_INTERNAL:
                internal.append(params["url"])
            else:
                page.append(params["url"])
        elif event["type"] == stream_job and params.get("is_preconnect"):
            page.append(params["url"])
    return page, internal


def _unexplained(proxy_lines: list[str], urls: list[str]) -> list[str]:
    """The proxy's request lines whose host and port none of ``urls`` has."""
    known = {_endpoint(url) for url in urls}
    unexplained = []
    for line in proxy_lines:
        parts = line.split()
        target = None
        if len(parts) == 3 and parts[0] == "CONNECT":
            target = _endpoint(f"https://{parts[1]}")
        elif len(parts) == 3:
            target = _endpoint(parts[1])
        if target is None or target not in known:
            unexplained.append(line)
    return unexplained


def _endpoint(url: str) -> tuple[str, int] | None:
    try:
        split = urlsplit(url)
        port = split.port or _DEFAULT_PORTS.get(split.scheme)
    except ValueError:
        return None
    if split.hostname is None or port is None:
        return None
    return split.hostname, port


class _SinkProxy:
    """An HTTP proxy on 127.0.0.1 that records the first line of each connection and answers 502."""

    def __init__(self) -> None:
        self._server = _SinkServer(("127.0.0.1", 0), _SinkHandler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="sink-proxy", daemon=True)

    def __enter__(self) -> _SinkProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()  # waits for the connection handlers (each bounded by a read timeout)
        self._thread.join()

    def lines(self) -> list[str]:
        with self._server.lock:
            return list(self._server.lines)


class _SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], handler: type[socketserver.BaseRequestHandler]) -> None:
        super().__init__(address, handler)
        self.lock = threading.Lock()
        self.lines: list[str] = []


class _SinkHandler(socketserver.StreamRequestHandler):
    timeout = _PROXY_READ_TIMEOUT_S

    def handle(self) -> None:
        try:
            line = self.rfile.readline(8192).decode("latin-1").strip()
        except OSError:  # includes the read timeout
            line = ""
        if line:
            server = cast(_SinkServer, self.server)
            with server.lock:
                server.lines.append(line)
        with contextlib.suppress(OSError):  # Chromium may have closed the connection already
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


# --- PNG ----------------------------------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_BYTES_PER_PIXEL = {2: 3, 6: 4}  # colour type -> bytes per pixel at bit depth 8: RGB, RGBA


def is_blank(png: Path) -> bool:
    """Whether every pixel of ``png`` (8-bit RGB or RGBA, not interlaced, as Chromium writes) has the same colour.

    Exact, and without unfiltering: a scanline's filter is a bijection of its bytes (given the scanline above),
    so a row equals the first pixel's colour repeated exactly when its filtered bytes equal that constant row
    filtered the same way, above a row that, by induction, was the constant row too (zeros above the first row).
    Two candidate rows per filter type, compared to each scanline at C speed. Raises ValueError for another PNG.
    """
    width, height, bpp, data = _read_png(png)
    stride = width * bpp
    # Every filter type predicts 0 for the first pixel of the first row: its bytes are the colour itself.
    colour = data[1 : 1 + bpp]
    constant = colour * width
    first_row = {kind: _filter_row(kind, constant, bytes(stride), bpp) for kind in range(5)}
    later_rows = {kind: _filter_row(kind, constant, constant, bpp) for kind in range(5)}
    for y in range(height):
        start = y * (stride + 1)
        kind = data[start]
        if kind > 4:
            raise ValueError(f"{png}: scanline {y} has filter type {kind}; PNG defines 0-4")
        expected = (first_row if y == 0 else later_rows)[kind]
        if data[start + 1 : start + 1 + stride] != expected:
            return False
    return True


def corner_colour(png: Path) -> tuple[int, int, int]:
    """The RGB colour of the top-left pixel (every PNG filter predicts 0 for it: its bytes are the colour).

    Raises ValueError as `is_blank` does.
    """
    _, _, _, data = _read_png(png)
    red, green, blue = data[1:4]
    return red, green, blue


def _read_png(png: Path) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, decompressed scanlines) of an 8-bit RGB/RGBA non-interlaced PNG."""
    raw = png.read_bytes()
    if not raw.startswith(_PNG_SIGNATURE):
        raise ValueError(f"{png} is not a PNG file")
    position = len(_PNG_SIGNATURE)
    header = b""
    compressed = bytearray()
    while position + 8 <= len(raw):
        (length,) = struct.unpack(">I", raw[position : position + 4])
        kind = raw[position + 4 : position + 8]
        body = raw[position + 8 : position + 8 + length]
        crc = raw[position + 8 + length : position + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise ValueError(f"{png}: truncated {kind!r} chunk")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
            raise ValueError(f"{png}: bad CRC in {kind!r} chunk")
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
        position += 12 + length
    if len(header) != 13:
        raise ValueError(f"{png}: no valid IHDR chunk")
    width, height, bit_depth, colour_type, _compression, _filter, interlace = struct.unpack(">IIBBBBB", header)
    if bit_depth != 8 or colour_type not in _BYTES_PER_PIXEL or interlace != 0:
        raise ValueError(
            f"{png}: bit depth {bit_depth}, colour type {colour_type}, interlace {interlace}; only 8-bit RGB (2) or "
            "RGBA (6) without interlacing is supported (what Chromium writes)"
        )
    if width == 0 or height == 0:
        raise ValueError(f"{png}: empty image ({width}x{height})")
    bpp = _BYTES_PER_PIXEL[colour_type]
    try:
        data = zlib.decompress(bytes(compressed))
    except zlib.error as error:
        raise ValueError(f"{png}: corrupt image data ({error})") from error
    if len(data) != height * (width * bpp + 1):
        raise ValueError(f"{png}: {len(data)} bytes of scanlines, expected {height * (width * bpp + 1)}")
    return width, height, bpp, data


def _filter_row(kind: int, row: bytes, above: bytes, bpp: int) -> bytes:
    """``row`` filtered with PNG filter ``kind`` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) below ``above``."""
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = above[i]
        c = above[i - bpp] if i >= bpp else 0
        if kind == 0:
            predicted = 0
        elif kind == 1:
            predicted = a
        elif kind == 2:
            predicted = b
        elif kind == 3:
            predicted = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predicted = a if pa <= pb and pa <= pc else b if pb <= pc else c
        out[i] = (x - predicted) & 0xFF
    return bytes(out)
