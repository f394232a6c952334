"""Load with wrk: a generated Lua script posts one operation's body; parse the summary.

Templates without placeholders are sent as one fixed request. Templates with `$ID`,
`$STOCK` or `$NAME` are filled per request in Lua: a random item id, that item's seeded
stock (so M2 rewrites the same value and the data never drifts between runs), and a
name unique per request (random prefix + counter).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import seed

LUA_HEADER = """wrk.method = "POST"
wrk.path = "/graphql"
wrk.headers["Content-Type"] = "application/json"
%s-- GraphQL answers errors with 200: count the answers with a non-empty "errors" list
local threads = {}
function setup(thread) table.insert(threads, thread) end
errors = 0
function response(status, headers, body)
  if status < 300 and body:find('"errors"%%s*:%%s*%%[%%s*{') then errors = errors + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("errors") end
  io.write(string.format("GraphQL errors: %%d\\n", total))
end
"""
LUA_TEMPLATE = "local template = [==[%s]==]\n"
LUA_AUTHORIZATION = 'wrk.headers["Authorization"] = [==[%s]==]\n'
LUA_FIXED = "wrk.body = template\n"
LUA_DYNAMIC = """math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local prefix = tostring(math.random(100000, 999999))
local counter = 0
local function filled(text)
  counter = counter + 1
  local id = math.random(1, %(items)d)
  local stock = %(stock)s
  local body = text:gsub("%%$ID", tostring(id)):gsub("%%$STOCK", tostring(stock))
  return (body:gsub("%%$NAME", "t-" .. prefix .. "-" .. counter))
end
"""
LUA_ONE = """request = function()
  return wrk.format(nil, nil, nil, filled(template))
end
"""
# A mix: every request picks one of `mix` (a body and its headers) at random.
LUA_MIX = """request = function()
  local pick = mix[math.random(1, #mix)]
  return wrk.format(nil, nil, pick[2], filled(pick[1]))
end
"""
PLACEHOLDERS = ("$ID", "$STOCK", "$NAME")
TIMEOUT = 30  # seconds: slow answers (Q4 on MariaDB) are measured, not dropped


@dataclass
class LoadResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int  # answers with GraphQL errors, non-2xx answers, socket errors, timeouts
    server_cpu_ms: float = float("nan")  # the server's own CPU time per request (run.py)


def lua_script(template: str, authorization: str | None = None) -> str:
    """The wrk script posting `template` (filled per request when it has placeholders),
    with an `Authorization` header when given."""
    script = LUA_HEADER % (LUA_TEMPLATE % template)
    if authorization:
        script += LUA_AUTHORIZATION % authorization
    if not any(placeholder in template for placeholder in PLACEHOLDERS):
        return script + LUA_FIXED
    return script + LUA_DYNAMIC % {"items": seed.ITEMS, "stock": seed.STOCK_LUA} + LUA_ONE


def lua_mix_script(mix: list[tuple[str, str | None]]) -> str:
    """The wrk script posting, per request, one of `mix` (template, Authorization header
    or None) picked at random, filled as lua_script fills one template."""
    entries = []
    for template, authorization in mix:
        headers = '{["Content-Type"] = "application/json"'
        if authorization:
            headers += f', ["Authorization"] = [==[{authorization}]==]'
        entries.append(f"  {{[==[{template}]==], {headers}}}}},")
    table = "local mix = {\n" + "\n".join(entries) + "\n}\n"
    return (LUA_HEADER % table + LUA_DYNAMIC % {"items": seed.ITEMS, "stock": seed.STOCK_LUA}
            + LUA_MIX)


def fill(template: str, item_id: int, name: str) -> str:
    """The template filled as the Lua script would fill it (for the pre-flight check)."""
    return (template.replace("$ID", str(item_id))
            .replace("$STOCK", str(seed.item_stock(item_id))).replace("$NAME", name))


def wrk_command(url: str, script: Path, duration: float, connections: int,
                pin: str | None) -> list[str]:
    """The wrk command line, pinned to CPU `pin` when given."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", f"--timeout={TIMEOUT}s",
               "--latency", "-s", str(script), url]
    return (["taskset", "-c", pin] if pin else []) + command


def run_wrk(url: str, template: str, duration: float, connections: int = 16,
            pin: str | None = None, authorization: str | None = None) -> LoadResult:
    """Post `template` to `url` for `duration` seconds and parse wrk's summary."""
    return run_wrk_script(url, lua_script(template, authorization), duration, connections, pin)


def run_wrk_script(url: str, lua: str, duration: float, connections: int = 16,
                   pin: str | None = None) -> LoadResult:
    """Run wrk with the script `lua` against `url` for `duration` seconds; its summary."""
    with tempfile.TemporaryDirectory(prefix="modelry-bench-") as directory:
        script = Path(directory) / "post.lua"
        script.write_text(lua)
        completed = subprocess.run(wrk_command(url, script, duration, connections, pin),
                                   capture_output=True, text=True,
                                   timeout=duration + TIMEOUT + 30, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_wrk(completed.stdout)


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> LoadResult:
    """Requests/s, p50, p99, request and failure counts from `wrk --latency` output."""
    def latency(percent: str) -> float:
        found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return _milliseconds(*found.groups()) if found else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        output)
    if rate is None or requests is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    graphql_errors = re.search(r"GraphQL errors: (\d+)", output)
    failures = int(non_2xx.group(1)) if non_2xx else 0
    failures += int(graphql_errors.group(1)) if graphql_errors else 0
    failures += sum(int(count) for count in sockets.groups()) if sockets else 0
    if int(requests.group(1)) == 0:  # wrk then prints latencies of 0
        return LoadResult(0.0, float("nan"), float("nan"), 0, failures)
    return LoadResult(float(rate.group(1)), latency("50"), latency("99"),
                      int(requests.group(1)), failures)


def ensure_wrk() -> None:
    """Install wrk with apt-get (Debian) when it is missing."""
    if shutil.which("wrk"):
        return
    print("wrk is missing: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is still missing after apt-get install wrk")
