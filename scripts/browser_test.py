#!/usr/bin/env python3
"""The dashboard in a real browser: headless Debian Chromium driven over the DevTools protocol (on a pipe, so
only the standard library is needed) against a running fundingd (normally `fundingd run --demo`, started by
scripts/browser_test.sh).

    browser_test.py BASE_URL [--screenshots DIR] [--only-screenshots]

Checks each page and what it shows against the API's answer to the same query; saves a screenshot of each page
when --screenshots is given. Every wait is bounded; the whole run is bounded by the caller's `timeout`.
"""
import argparse
import base64
import fcntl
import json
import math
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

FAILURES = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        FAILURES.append(message)
    return condition


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=15) as response:
        return json.load(response)


class Browser:
    """Chromium with --remote-debugging-pipe: commands on fd 3, answers and events on fd 4, NUL-separated JSON."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="fundingd-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire_fds():  # in the child: the pipe ends to 3 and 4 (via high numbers: the pipes may be 3 or 4 already)
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)  # dup2 leaves the copy inheritable
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(
            [binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--hide-scrollbars", "--mute-audio", f"--user-data-dir={self.profile}", "--window-size=1440,900",
             "about:blank"],
            close_fds=False, preexec_fn=wire_fds,  # close_fds would close 3 and 4 after wire_fds
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.session = None
        self.console = []

    def send(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self.read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def read(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the browser did not answer in time")
            ready, _, _ = select.select([self.from_child], [], [], left)
            if ready:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("the browser exited")
                self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if message.get("method") == "Runtime.exceptionThrown":
            self.console.append(message["params"]["exceptionDetails"].get("exception", {}).get("description", "?"))
        return message

    def open(self, width=1440, height=900, mobile=False):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        self.send("Runtime.enable")
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def goto(self, url):
        self.send("Page.navigate", {"url": url})

    def js(self, expression, timeout=30):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           timeout=timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait(self, expression, timeout=30, interval=0.25):
        """Polls `expression` until it is truthy; returns its value, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.js(expression)
                if value:
                    return value
            except RuntimeError:
                pass  # the page is still loading
            time.sleep(interval)
        return None

    def screenshot(self, path, full=False):
        params = {"format": "png", "captureBeyondViewport": full}
        data = self.send("Page.captureScreenshot", params, timeout=60)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def close(a, b):
    return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def search(b, text):
    b.js("(() => { const s = document.getElementById('search'); s.value = %s; s.dispatchEvent(new Event('input')); })()"
         % json.dumps(text))


def set_field(b, name, value):
    """Sets a filter of the opportunities form as a user would (a change event bubbling to the form)."""
    b.js("(() => { const s = document.querySelector('[name=%s]'); s.value = %s; "
         "s.dispatchEvent(new Event('change', {bubbles: true})); })()" % (name, json.dumps(value)))


def shows_no_raw_values(b, page):
    """Every number went through a formatter: no "null", "undefined" or "NaN" reaches the page's text."""
    raw = b.js(r"(document.querySelector('main').innerText.match(/\b(null|undefined|NaN)\b/g) ?? []).length")
    check(raw == 0, f"{page}: no null, undefined or NaN shown ({raw})")


def btc_agrees(b, base, basis, scale, attempts, within=0.0):
    """Compares the grid's BTC cells with /funding-rates?symbol=BTC&basis=... (× scale) until they agree, a second
    apart: a cycle may land between reading the page and asking the API. With `within` > 0 (a polling page, whose
    cells are its last poll's answers, one request per venue), each venue's cell may equal that venue's value in any
    answer the API gave in the last `within` seconds: a poll's requests can straddle a cycle, so its venues can come
    from two cycles, and a page polling every 15 s beside a cycle every 15 s can stay so for a whole minute. The
    venues shown must still be the latest answer's. Returns (answer, how each differing venue differs); a venue
    missing on either side differs, and so does an empty answer."""
    recent = []
    mismatched = []
    for attempt in range(attempts):
        page = b.js("Object.fromEntries([...document.querySelectorAll('#grid tr[data-symbol=\"BTC\"] td[data-dex]')]"
                    ".filter(td => td.dataset.value !== '').map(td => [td.dataset.dex, Number(td.dataset.value)]))")
        answer = api(base, f"/api/v1/funding-rates?symbol=BTC&basis={basis}")["data"].get("BTC", {})
        now = time.monotonic()
        recent = [(t, a) for t, a in recent if now - t <= within] + [(now, answer)]
        mismatched = sorted(d for d in set(answer) | set(page)
                            if d not in answer or d not in page
                            or not any(d in a and close(page[d], a[d] * scale) for _, a in recent))
        if answer and not mismatched:
            return answer, []
        time.sleep(1)
    # Each differing venue with the page's value and the API's recent ones, so a failure says how it differs.
    detail = [f"{d}: page {page.get(d)}, API {[a[d] * scale if d in a else None for _, a in recent]}" for d in mismatched]
    return answer, detail or ([] if answer else ["(no venue in the API's answer)"])


def test_grid(b, base):
    b.goto(base + "/")
    rows = b.wait("document.querySelectorAll('#grid tbody tr[data-symbol]').length", timeout=60)
    check(bool(rows), f"grid: rows rendered ({rows})")
    # Every venue the API lists has a column.
    venues = sorted(d["name"] for d in api(base, "/api/v1/dexes")["dexes"])
    columns = b.js("[...document.querySelectorAll('#grid thead th[data-dex]')].map(th => th.dataset.dex).sort()")
    check(columns == venues, f"grid: one column per venue ({len(columns)} columns, {len(venues)} venues)")
    check(b.wait("document.getElementById('conn').dataset.state === 'live'", timeout=20) is not None,
          "grid: the stream is live (badge)")
    # z-scores come from one /contracts-with-zscores request: the cells of scored contracts name theirs.
    scored = api(base, "/api/v1/contracts-with-zscores?limit=5000")["contracts"]
    titled = b.wait("(() => { const n = [...document.querySelectorAll('#grid td[data-dex]')]"
                    ".filter(td => td.title.includes('z-score')).length; return n || null; })()", timeout=20)
    check((titled is not None) == bool(scored),
          f"grid: cells show the API's z-scores ({titled or 0} cells; {len(scored)} contracts scored)")
    # The page's value for a cell equals the API's for the same query (APR, then 8H in percent; the most liquid
    # market per venue).
    for basis, scale in (("apr", 1), ("8h", 100)):
        b.js("document.querySelector('[data-basis=\"%s\"]').click()" % basis)
        time.sleep(0.3)
        answer, mismatched = btc_agrees(b, base, basis, scale, attempts=20)
        check(not mismatched, f"grid: BTC {basis} per venue equals /api/v1/funding-rates?symbol=BTC&basis={basis}"
              f"{' × 100' if scale != 1 else ''} ({len(answer)} venues; differ: {mismatched})")
    b.js("document.querySelector('[data-basis=\"apr\"]').click()")
    # The countdown ticks.
    # (a cycle re-renders the table, so the cell is found again by venue and symbol)
    probe = b.wait("(() => { const el = [...document.querySelectorAll('#grid td[data-dex] [data-countdown]')]"
                   ".find(e => e.textContent !== 'due' && e.textContent !== '—'); "
                   "if (!el) return null; const td = el.closest('td'); "
                   "return [`#grid td[data-dex=\"${td.dataset.dex}\"][data-symbol=\"${td.dataset.symbol}\"] [data-countdown]`, el.textContent]; })()",
                   timeout=30)
    first = probe[1] if probe else None
    time.sleep(2.2)
    second = b.js("document.querySelector(%s)?.textContent ?? null" % json.dumps(probe[0])) if probe else None
    check(first is not None and second is not None and first != second, f"grid: the countdown ticks ({first} → {second})")
    # A pushed cycle updates a cell (the demo's venues drift with every cycle, 15 s apart).
    before = b.js("JSON.stringify([...document.querySelectorAll('#grid td[data-dex]')].map(td => td.dataset.value))")
    changed = b.wait(f"JSON.stringify([...document.querySelectorAll('#grid td[data-dex]')].map(td => td.dataset.value)) !== {json.dumps(before)}",
                     timeout=60, interval=1)
    check(changed is not None, "grid: a pushed cycle changed a cell")
    # Search filters rows: a symbol, then a venue contract (auto-expanded, highlighted).
    total = b.js("document.querySelectorAll('#grid tbody tr[data-symbol]').length")
    search(b, "ETH")
    shown = b.wait("(() => { const r = [...document.querySelectorAll('#grid tbody tr[data-symbol]')]; "
                   "return r.length && r.length < %d ? r.map(x => x.dataset.symbol) : null; })()" % total, timeout=10)
    check(bool(shown) and all("ETH" in s for s in shown), f"grid: search 'ETH' keeps only matching rows ({shown})")
    # CSV export holds what is shown: the matching rows, one column per venue, in the view's unit.
    b.js("(() => { window.__csv = null; const make = URL.createObjectURL; "
         "URL.createObjectURL = blob => { blob.text().then(t => { window.__csv = t; }); return make(blob); }; "
         "document.getElementById('csv').click(); })()")
    csv = b.wait("window.__csv", timeout=10)
    lines = (csv or "").strip().split("\n")
    check(bool(csv) and lines[0].startswith("symbol,venues,spread_apr_pct,") and len(lines[0].split(",")) == len(venues) + 5
          and sorted(line.split(",")[0] for line in lines[1:]) == sorted(shown),
          f"grid: CSV export has the shown rows and a column per venue ({len(lines) - 1} rows)")
    binance = api(base, "/api/v1/dexes/binance/symbols")["markets"]
    contract = next((m["dex_symbol"] for m in binance if m["dex_symbol"].lower().find(m["symbol"].lower()) != 0), None) \
        or binance[0]["dex_symbol"]
    search(b, contract)
    hit = b.wait("document.querySelector('#grid tr.contract.match mark')?.textContent ?? null", timeout=10)
    check(hit is not None and hit.lower() == contract.lower(), f"grid: search by contract {contract} expands and highlights it")
    search(b, "NO-SUCH-THING")
    check(b.wait("document.querySelector('#grid .notice.empty')?.textContent.includes('NO-SUCH-THING')", timeout=5) is not None,
          "grid: a search with no match says so")
    search(b, "")
    shows_no_raw_values(b, "grid")


def until_page_agrees(read_page, read_api, same, hold):
    """Reads the page and the API until they agree. Demo cycles keep changing the API's answer and a page follows a
    push within about a second, so it fails only when the page still differs after the API's answer has held for
    `hold` seconds (or after 60 s). Returns the last (page rows, API answer)."""
    answer, held_since, deadline = None, time.monotonic(), time.monotonic() + 60
    while True:
        rows = read_page()
        latest = read_api()
        if latest != answer:
            answer, held_since = latest, time.monotonic()
        if same(rows, answer) or time.monotonic() - held_since > hold or time.monotonic() > deadline:
            return rows, answer
        time.sleep(0.5)


def opportunity_rows(b):
    return b.js("[...document.querySelectorAll('#table tbody tr')].map(tr => ({id: tr.dataset.id, "
                "net: Number(tr.querySelector('[data-field=net_profit]').dataset.raw), "
                "long: tr.children[1].textContent, short: tr.children[2].textContent}))")


def test_opportunities(b, base):
    q = "min_profit=-1&min_volume_24h=0&limit=50"
    b.goto(base + "/ui/opportunities.html?" + q)
    b.wait("document.querySelector('#table tbody tr, #table .notice')", timeout=30)
    def same(rows, answer):
        return [str(r["id"]) for r in answer] == [r["id"] for r in rows] \
            and all(close(r["net"], a["net_profit"]) for r, a in zip(rows, answer))
    rows, answer = until_page_agrees(lambda: opportunity_rows(b),
                                     lambda: api(base, "/api/v1/opportunities?" + q)["opportunities"], same, hold=5)
    check(len(rows) > 0, f"opportunities: rows shown ({len(rows)})")
    differ = [(r["id"], r["net"], a["id"], a["net_profit"]) for r, a in zip(rows, answer)
              if r["id"] != str(a["id"]) or not close(r["net"], a["net_profit"])]
    check(same(rows, answer),
          f"opportunities: the rows and net profits equal /api/v1/opportunities for the same query "
          f"({len(rows)} shown, {len(answer)} answered, first differences {differ[:3]})")
    # A row's history: the pair's hourly APR spread over 7 days with its statistics, as the detail route answers.
    if answer:
        first = answer[0]
        b.js("document.querySelector('#table tbody tr button.history').click()")
        shown = b.wait("(() => { const d = document.querySelector('#detail [data-field=samples]'); "
                       "return d ? {samples: Number(d.dataset.raw), mean: document.querySelector('#detail [data-field=mean]').dataset.raw, "
                       "title: document.querySelector('#detail h3').textContent} : null; })()", timeout=15)
        path = "/".join(urllib.parse.quote(first[k]) for k in ("symbol", "long_dex", "short_dex"))
        detail = api(base, f"/api/v1/arbitrage/opportunity-detail/{path}?days=7&"
                     + urllib.parse.urlencode({"long_contract": first["long_dex_symbol"], "short_contract": first["short_dex_symbol"]}))
        mean = detail["statistics"]["mean"]
        # The newest hour's mean moves with each cycle, so the mean is compared within 5 %.
        check(shown is not None and shown["samples"] == detail["statistics"]["samples"]
              and (mean is None and shown["mean"] == "" or mean is not None and shown["mean"] != ""
                   and abs(float(shown["mean"]) - mean) <= 0.05 * max(abs(mean), 1e-9))
              and first["long_dex_symbol"] in shown["title"],
              f"opportunities: a row's history shows the pair's spread statistics ({shown}; API mean {mean}, "
              f"{detail['statistics']['samples']} hours)")
    # A filter changes what is shown: the long leg on one venue.
    long_dex = answer[-1]["long_dex"] if answer else "binance"
    set_field(b, "long_dex", long_dex)
    filtered = b.wait("(() => { const r = [...document.querySelectorAll('#table tbody tr')].map(tr => tr.children[1].textContent); "
                      "return r.length && r.every(t => t.startsWith(%s)) ? r : null; })()" % json.dumps(long_dex), timeout=15)
    check(bool(filtered) and all(t.startswith(long_dex) for t in filtered) and len(filtered) <= len(rows),
          f"opportunities: long_dex={long_dex} keeps only its rows ({len(filtered or [])} of {len(rows)})")
    shows_no_raw_values(b, "opportunities")
    set_field(b, "min_profit", "0.5")
    check(b.wait("document.querySelector('#table .notice.empty')?.textContent.includes('No pair')", timeout=15) is not None,
          "opportunities: an impossible filter says no pair passes it")


def board_rows(b):
    return b.js("[...document.querySelectorAll('#board tbody tr')].map(tr => ({key: tr.dataset.dex + '|' + "
                "tr.querySelector('th small').textContent.trim(), value: Number(tr.querySelector('[data-field=value]').dataset.raw)}))")


def test_screener(b, base):
    q = "limit=25"
    b.goto(base + "/ui/screener.html?name=volume_24h&" + q)
    b.wait("document.querySelector('#board tbody tr')", timeout=30)
    def same(rows, answer):
        return [f"{a['dex']}|{a['dex_symbol']}" for a in answer] == [r["key"] for r in rows] \
            and all(close(r["value"], a["value"]) for r, a in zip(rows, answer))
    rows, answer = until_page_agrees(lambda: board_rows(b),
                                     lambda: api(base, "/api/v1/leaderboards/volume_24h?" + q)["entries"], same, hold=8)
    check(len(rows) == 25, f"screener: volume_24h shows 25 markets ({len(rows)})")
    check(same(rows, answer), f"screener: the markets and values equal /api/v1/leaderboards/volume_24h "
          f"(first shown {rows[:2]}, answered {[(a['dex'], a['dex_symbol'], a['value']) for a in answer[:2]]})")
    check(b.wait("document.getElementById('conn').dataset.state === 'live'", timeout=20) is not None,
          "screener: the board is live on the leaderboards stream")
    # Another board from the form: its window list follows the board.
    set_field(b, "name", "oi_change")
    windows = b.wait("(() => { const o = [...document.querySelectorAll('[name=window] option')].map(o => o.value); "
                     "return o.length ? o : null; })()", timeout=10)
    check(windows == ["1h", "4h", "24h"], f"screener: oi_change offers its windows ({windows})")
    shown = b.wait("document.getElementById('summary').textContent.includes('oi_change') "
                   "&& document.querySelector('#board tbody tr, #board .notice:not(:empty)') !== null", timeout=20)
    check(bool(shown), "screener: switching the board shows oi_change (rows or why there are none)")
    bars = b.wait("document.querySelectorAll('#clusters svg rect.bar').length", timeout=30)
    check(bool(bars), f"screener: demo liquidation clusters drawn as bars ({bars})")
    shows_no_raw_values(b, "screener")


def test_prices(b, base):
    # Every pair of one symbol (not only the best per symbol): the set of pairs holds still while their spreads move
    # every second, so the page's pairs can be compared with the route's exactly. Across every symbol the demo
    # market has far more than `limit` pairs, and which of them make the cut by spread changes every second.
    q = "symbols=BTC&limit=1000"
    b.goto(base + "/ui/prices.html?best=false&" + q)
    b.wait("document.querySelector('#table tbody tr')", timeout=30)
    shown, answer, deadline = [], [], time.monotonic() + 30
    while True:
        shown = sorted(b.js("[...document.querySelectorAll('#table tbody tr')].map(tr => tr.dataset.key)"))
        answer = sorted(f"{r['symbol']}|{r['long_dex']}|{r['short_dex']}"
                        for r in api(base, "/api/v1/price-spreads?" + q)["spreads"])
        if shown == answer or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    check(len(shown) > 0 and shown == answer,
          f"prices: the pairs shown equal /api/v1/price-spreads ({len(shown)} shown, {len(answer)} answered, "
          f"only shown {sorted(set(shown) - set(answer))[:3]}, only answered {sorted(set(answer) - set(shown))[:3]})")
    check(b.wait("document.getElementById('conn').dataset.state === 'live'", timeout=20) is not None,
          "prices: the spreads are live on the price-spreads stream")
    b.js("document.querySelector('#table tbody tr').click()")
    lines = b.wait("document.querySelectorAll('#history svg path.line').length", timeout=30)
    check(bool(lines), f"prices: selecting a pair draws its net and gross spread history ({lines} lines)")
    shows_no_raw_values(b, "prices")


def test_market(b, base):
    b.goto(base + "/ui/market.html?symbol=BTC&period=1d")
    rows = b.wait("document.querySelectorAll('#now tbody tr').length", timeout=30)
    answer = api(base, "/api/v1/funding-rates?symbol=BTC")["data"].get("BTC", {})
    venues = b.js("[...new Set([...document.querySelectorAll('#now tbody tr')].map(tr => tr.dataset.dex))].sort()")
    check(bool(rows) and venues == sorted(answer), f"market: BTC contracts on every venue that lists it ({venues})")
    charts = b.wait("document.querySelectorAll('#charts figure.chart').length === 4 "
                    "&& document.querySelectorAll('#charts svg path.line').length", timeout=30)
    check(bool(charts), f"market: four history charts with lines ({charts})")
    b.wait("document.querySelector('#stats table, #stats .notice')", timeout=20)
    shows_no_raw_values(b, "market")


def test_health(b, base):
    b.goto(base + "/ui/health.html")
    rows = b.wait("document.querySelectorAll('#venues tbody tr').length", timeout=30)
    answer = api(base, "/api/v1/health")
    check(rows == len(answer["dex_health"]), f"health: one row per venue ({rows})")
    status = b.js("document.querySelector('#overall .card .value').textContent")
    check(status in ("healthy", "degraded", "unhealthy"), f"health: the service's status is shown ({status})")
    shows_no_raw_values(b, "health")


def test_stream_down(b, base):
    """With no WebSocket (each connection fails at once), the grid polls the REST routes and says so."""
    b.open()
    b.send("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.WebSocket = class { static OPEN = 1;
          constructor() { setTimeout(() => { this.onerror?.(); this.onclose?.(); }, 50); }
          send() {} close() {} };"""})
    b.goto(base + "/")
    state = b.wait("document.querySelectorAll('#grid tbody tr[data-symbol]').length "
                   "&& document.getElementById('conn').dataset.state", timeout=60)
    check(state == "polling", f"stream down: the grid still fills, from polling, and the badge says so ({state})")
    # The page polls every 15 s and a cycle lands every 15 s: its cells are the answer of its last poll.
    answer, mismatched = btc_agrees(b, base, "apr", 1, attempts=60, within=16)
    check(not mismatched, f"stream down: polled BTC APR per venue equals the API's (differ: {mismatched})")
    b.open()  # a fresh tab without the stub


def screenshots(b, base, directory):
    os.makedirs(directory, exist_ok=True)
    pages = [("grid", "/", "#grid tbody tr"), ("opportunities", "/ui/opportunities.html?min_profit=-1&min_volume_24h=0&limit=20", "#table tbody tr"),
             ("screener", "/ui/screener.html?name=volume_24h&limit=15", "#clusters svg rect.bar"),
             ("prices", "/ui/prices.html?limit=20", "#table tbody tr"),
             ("market", "/ui/market.html?symbol=BTC&period=1d", "#charts svg path.line"), ("health", "/ui/health.html", "#venues tbody tr")]
    for name, path, ready in pages:
        b.goto(base + path)
        b.wait(f"document.querySelector({json.dumps(ready)})", timeout=40)
        if name == "prices":  # a selected pair, so its history chart is in the picture
            b.js("document.querySelector('#table tbody tr').click()")
            b.wait("document.querySelector('#history svg path.line')", timeout=30)
        time.sleep(1.5)  # charts and z-scores arrive after the first rows
        b.screenshot(os.path.join(directory, f"{name}.png"))
        print(f"saved {directory}/{name}.png")
        if name == "market":  # the charts are below the fold
            b.js("document.querySelector('#charts').previousElementSibling.scrollIntoView()")
            time.sleep(0.5)
            b.screenshot(os.path.join(directory, "market-charts.png"))
            print(f"saved {directory}/market-charts.png")
    b.open(width=390, height=844, mobile=True)
    b.goto(base + "/")
    b.wait("document.querySelector('#grid tbody tr')", timeout=40)
    time.sleep(1)
    b.screenshot(os.path.join(directory, "grid-phone.png"))
    print(f"saved {directory}/grid-phone.png")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--screenshots")
    parser.add_argument("--only-screenshots", action="store_true")
    parser.add_argument("--only", help="comma-separated checks to run (e.g. test_stream_down), for a quick rerun; default all")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    b = Browser(args.chromium)
    try:
        b.open()
        if not args.only_screenshots:
            tests = (test_grid, test_opportunities, test_screener, test_prices, test_market, test_health, test_stream_down)
            if args.only:
                tests = [t for t in tests if t.__name__ in args.only.split(",")]
                check(bool(tests), f"--only {args.only}: names a check")
            for test in tests:
                try:
                    test(b, base)
                except Exception as e:  # one page's failure must not hide the others'
                    check(False, f"{test.__name__}: {type(e).__name__}: {e}")
            check(not b.console, f"no uncaught script errors ({b.console[:3]})")
        if args.screenshots:
            screenshots(b, base, args.screenshots)
    finally:
        b.close()
    if FAILURES:
        print(f"browser test: {len(FAILURES)} failed", file=sys.stderr)
        sys.exit(1)
    print("browser test: passed")


if __name__ == "__main__":
    main()
