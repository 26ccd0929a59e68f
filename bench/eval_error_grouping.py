"""Error grouping on a generated labelled set: pairwise precision, recall and F1 per format.

    .venv/bin/python bench/eval_error_grouping.py [--seed 7] [--events 640]

The set holds 26 true groups: four per trace format (Python, JVM, JavaScript, Go, .NET,
Apple crash logs) and two message-only Sentry events. Inside a group the events vary as they
do in production: each comes either as a Sentry event (JSON) or as plain text inside a noisy
log body (sometimes JSON-escaped onto one line); three releases shift every line number;
messages carry other ids, uuids, addresses, ips and quoted values; the library frames around
the application's frames differ (another web framework, another depth, Go's other
goroutines, ASLR addresses); deployment roots and goroutine ids differ; 30% of the Sentry
events carry no `in_app` flags (an SDK left unconfigured), so the heuristics decide. Groups are
made confusable on purpose: in every format two groups raise the same exception type from
different in-app functions, and a third raises another type from the same functions as the
first.

Every event is parsed (`find_stacks` for text, `stack_from_sentry_event` for JSON) and
fingerprinted. The same-run naive baseline hashes the exception type, the full message and
every frame with its line; the "+lines" ablation is the fingerprint with the in-app frames'
line numbers kept, which shows what ignoring lines buys. A pair of events is a true pair
when both are in the same labelled group; precision and recall count pairs within one format
(and over all events for "overall").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import string
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from nightcall.analysis.errors import (
    Stack,
    find_stacks,
    fingerprint_event,
    fingerprint_stack,
    stack_from_sentry_event,
)

Frame = tuple[str, str, int, bool]  # module, function, line, in-app (outermost first)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exc:
    """One exception of a group's chain: type, message template, in-app frames."""

    exc_type: str
    message: str  # {id} {uuid} {addr} {ip} {q} {n} {ref} are filled per event
    app: tuple[tuple[str, str], ...]  # (module, function), outermost first
    inner_lib: tuple[tuple[str, str], ...] = ()  # library frames the exception came out of


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """A true group: its format and its chain (the raised exception first)."""

    name: str
    fmt: str
    chain: tuple[Exc, ...]
    weight: float = 1.0


def fill(template: str, rng: random.Random) -> str:
    """A message with fresh values in its slots."""
    return template.format(
        id=rng.randint(1, 99_999), uuid=uuid.UUID(int=rng.getrandbits(128)),
        addr=hex(rng.getrandbits(40)), ip=".".join(str(rng.randint(1, 254)) for _ in range(4)),
        q=rng.choice(["bob", "alice@example.com", "SUMMER-24", "x9f2"]), n=rng.randint(2, 60),
        ref="ch_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24)),
    )  # fmt: skip


PY_LIBS = [
    [("django.core.handlers.exception", "inner"), ("django.core.handlers.base", "_get_response")],
    [("flask.app", "wsgi_app"), ("flask.app", "full_dispatch_request"),
     ("flask.app", "dispatch_request")],
    [("starlette.routing", "handle"), ("fastapi.routing", "app"),
     ("fastapi.routing", "run_endpoint_function")],
]  # fmt: skip
JAVA_LIBS = [
    [("java.lang.Thread", "run"), ("org.apache.catalina.core.StandardWrapperValve", "invoke"),
     ("org.springframework.web.servlet.FrameworkServlet", "service"),
     ("org.springframework.web.method.support.InvocableHandlerMethod", "doInvoke")],
    [("java.lang.Thread", "run"), ("io.netty.channel.nio.NioEventLoop", "run"),
     ("io.micronaut.http.server.RouteExecutor", "execute")],
]  # fmt: skip
JS_LIBS = [
    [("node:internal/process/task_queues", "process.processTicksAndRejections"),
     ("/app/node_modules/express/lib/router/layer.js", "Layer.handle [as handle_request]"),
     ("/app/node_modules/express/lib/router/route.js", "next")],
    [("node:internal/process/task_queues", "process.processTicksAndRejections"),
     ("/app/node_modules/koa-compose/index.js", "dispatch")],
]  # fmt: skip
GO_LIBS = [
    [("net/http", "(*conn).serve"), ("net/http", "serverHandler.ServeHTTP"),
     ("github.com/go-chi/chi/v5", "(*Mux).ServeHTTP")],
    [("net/http", "(*conn).serve"), ("net/http", "HandlerFunc.ServeHTTP")],
]  # fmt: skip
DOTNET_LIBS = [
    [("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol", "ProcessRequests"),
     ("Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor", "Execute")],
    [("Microsoft.AspNetCore.Routing.EndpointMiddleware", "Invoke"),
     ("Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker", "InvokeActionMethodAsync"),
     ("Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor", "Execute")],
]  # fmt: skip
COCOA_LIBS = [
    [("dyld", "start"), ("UIKitCore", "UIApplicationMain"),
     ("GraphicsServices", "GSEventRunModal"), ("CoreFoundation", "__CFRunLoopRun"),
     ("UIKitCore", "-[UIApplication sendAction:to:from:forEvent:]")],
    [("dyld", "start"), ("UIKitCore", "UIApplicationMain"), ("CoreFoundation", "__CFRunLoopRun"),
     ("libdispatch.dylib", "_dispatch_main_queue_drain"),
     ("libdispatch.dylib", "_dispatch_call_block_and_release")],
]  # fmt: skip
LIBS = {"python": PY_LIBS, "java": JAVA_LIBS, "js": JS_LIBS, "go": GO_LIBS,
        "dotnet": DOTNET_LIBS, "cocoa": COCOA_LIBS}  # fmt: skip


def groups() -> list[Group]:
    """The 26 labelled groups; a/b share a type, a/c share the in-app functions."""
    e = Exc
    py_db = e(exc_type="psycopg.errors.QueryCanceled", message="canceling statement due to "
              "statement timeout on order {id}", app=(("shop.db", "fetch_one"),),
              inner_lib=(("psycopg.cursor", "execute"),))  # fmt: skip
    java_sql = e(exc_type="java.sql.SQLTimeoutException", message="Query timed out after {n}s",
                 app=(("com.shop.orders.OrderRepository", "findById"),),
                 inner_lib=(("org.postgresql.jdbc.PgStatement", "executeQuery"),))  # fmt: skip
    net_inner = e(exc_type="Npgsql.NpgsqlException", message="Exception while reading from "
                  "stream {ip}", app=(("Shop.Orders.OrderRepository", "FindAsync"),),
                  inner_lib=(("Npgsql.Internal.NpgsqlReadBuffer", "Ensure"),))  # fmt: skip
    return [
        Group(name="py-a", fmt="python", weight=2.0, chain=(
            e(exc_type="KeyError", message="{q}", app=(("shop.views", "checkout"),
              ("shop.cart", "apply_coupon"))),)),
        Group(name="py-b", fmt="python", chain=(
            e(exc_type="KeyError", message="{q}", app=(("shop.views", "checkout"),
              ("shop.cart", "remove_item"))),)),
        Group(name="py-c", fmt="python", chain=(
            e(exc_type="ValueError", message="invalid literal for int() with base 10: {q}",
              app=(("shop.views", "checkout"), ("shop.cart", "apply_coupon"))),)),
        Group(name="py-d", fmt="python", weight=1.5, chain=(
            e(exc_type="shop.orders.OrderError", message="order {id} failed for user {uuid}",
              app=(("shop.views", "place"), ("shop.orders", "place_order"))), py_db)),
        Group(name="java-a", fmt="java", weight=2.0, chain=(
            e(exc_type="java.lang.IllegalStateException", message="Order {id} not found",
              app=(("com.shop.orders.OrderController", "post"),
                   ("com.shop.orders.OrderService", "place"))),)),
        Group(name="java-b", fmt="java", chain=(
            e(exc_type="java.lang.IllegalStateException", message="Cart {id} is empty",
              app=(("com.shop.orders.OrderController", "post"),
                   ("com.shop.cart.CartService", "checkout"))),)),
        Group(name="java-c", fmt="java", chain=(
            e(exc_type="java.lang.NullPointerException", message="Cannot invoke \"{q}\" because"
              " value is null", app=(("com.shop.orders.OrderController", "post"),
                                      ("com.shop.orders.OrderService", "place"))),)),
        Group(name="java-d", fmt="java", weight=1.5, chain=(
            e(exc_type="org.springframework.dao.QueryTimeoutException", message="PreparedStatement"
              "Callback; SQL [select * from orders where id = {id}]",
              app=(("com.shop.orders.OrderController", "get"),
                   ("com.shop.orders.OrderService", "load"))), java_sql)),
        Group(name="js-a", fmt="js", weight=2.0, chain=(
            e(exc_type="TypeError", message="Cannot read properties of undefined (reading {q})",
              app=(("/app/src/routes/cart.js", "<anonymous>"),
                   ("/app/src/services/cart.js", "CartService.addItem"))),)),
        Group(name="js-b", fmt="js", chain=(
            e(exc_type="TypeError", message="Cannot read properties of null (reading {q})",
              app=(("/app/src/routes/cart.js", "<anonymous>"),
                   ("/app/src/services/pricing.js", "priceFor"))),)),
        Group(name="js-c", fmt="js", chain=(
            e(exc_type="RangeError", message="Invalid array length {n}",
              app=(("/app/src/routes/cart.js", "<anonymous>"),
                   ("/app/src/services/cart.js", "CartService.addItem"))),)),
        Group(name="js-d", fmt="js", chain=(
            e(exc_type="Error", message="connect ECONNREFUSED {ip}:6379",
              app=(("/app/src/routes/session.js", "loadSession"),
                   ("/app/src/lib/cache.js", "Cache.get"))),)),
        Group(name="go-a", fmt="go", weight=2.0, chain=(
            e(exc_type="runtime.boundsError", message="runtime error: index out of range [{n}] "
              "with length {n}", app=(("main", "(*Server).handleOrder"),
                                      ("github.com/acme/shop/orders", "(*Service).Place"))),)),
        Group(name="go-b", fmt="go", chain=(
            e(exc_type="runtime.boundsError", message="runtime error: index out of range [{n}] "
              "with length {n}", app=(("main", "(*Server).handleOrder"),
                                      ("github.com/acme/shop/orders", "lineItems"))),)),
        Group(name="go-c", fmt="go", chain=(
            e(exc_type="runtime.errorString", message="runtime error: invalid memory address or "
              "nil pointer dereference", app=(
                  ("main", "(*Server).handleOrder"),
                  ("github.com/acme/shop/orders", "(*Service).Place"))),)),
        Group(name="go-d", fmt="go", chain=(
            e(exc_type="*errors.errorString", message="inventory: negative stock for sku {id}",
              app=(("main", "worker.func1"), ("github.com/acme/shop/stock", "Reserve"))),)),
        Group(name="net-a", fmt="dotnet", weight=2.0, chain=(
            e(exc_type="System.InvalidOperationException", message="Sequence contains no "
              "elements", app=(("Shop.Api.OrdersController", "Post"),
                               ("Shop.Orders.OrderService", "PlaceAsync"))),)),
        Group(name="net-b", fmt="dotnet", chain=(
            e(exc_type="System.InvalidOperationException", message="Sequence contains no "
              "elements", app=(("Shop.Api.OrdersController", "Post"),
                               ("Shop.Orders.PricingService", "QuoteAsync"))),)),
        Group(name="net-c", fmt="dotnet", chain=(
            e(exc_type="System.ArgumentNullException", message="Value cannot be null. "
              "(Parameter {q})", app=(("Shop.Api.OrdersController", "Post"),
                                      ("Shop.Orders.OrderService", "PlaceAsync"))),)),
        Group(name="net-d", fmt="dotnet", weight=1.5, chain=(
            e(exc_type="System.InvalidOperationException", message="Failed to load order {id}",
              app=(("Shop.Api.OrdersController", "Get"),
                   ("Shop.Orders.OrderService", "LoadAsync"))), net_inner)),
        Group(name="ios-a", fmt="cocoa", weight=2.0, chain=(
            e(exc_type="EXC_BAD_ACCESS", message="KERN_INVALID_ADDRESS at {addr}",
              app=(("ShopApp", "CheckoutViewController.viewDidLoad()"),
                   ("ShopApp", "CheckoutViewController.placeOrder(_:)"))),)),
        Group(name="ios-b", fmt="cocoa", chain=(
            e(exc_type="EXC_BAD_ACCESS", message="KERN_INVALID_ADDRESS at {addr}",
              app=(("ShopApp", "CheckoutViewController.viewDidLoad()"),
                   ("ShopApp", "CartStore.total()"))),)),
        Group(name="ios-c", fmt="cocoa", chain=(
            e(exc_type="EXC_BREAKPOINT", message="Fatal error: Unexpectedly found nil while "
              "unwrapping an Optional value", app=(
                  ("ShopApp", "CheckoutViewController.viewDidLoad()"),
                  ("ShopApp", "CheckoutViewController.placeOrder(_:)"))),)),
        Group(name="ios-d", fmt="cocoa", chain=(
            e(exc_type="NSInvalidArgumentException", message="-[__NSCFString count]: "
              "unrecognized selector sent to instance {addr}", app=(
                  ("ShopApp", "closure #1 in ProductListView.body.getter"),
                  ("ShopApp", "ProductListView.reload()"))),)),
        Group(name="msg-a", fmt="message", chain=(
            e(exc_type="", message="Payment gateway timeout for order {id} after {n}s "
              "(gateway {ip})", app=()),)),
        Group(name="msg-b", fmt="message", chain=(
            e(exc_type="", app=(),
              message="Payment gateway declined order {id}: reference {ref}"),)),
    ]  # fmt: skip


@dataclass(slots=True)
class Occurrence:
    """One exception of one event: type, message and frames with lines, outermost first."""

    exc_type: str
    value: str
    frames: list[Frame]


def occurrence(group: Group, rng: random.Random, release: int) -> list[Occurrence]:
    """The chain of one event: fresh values, this release's lines, some library frames."""
    libs = rng.choice(LIBS.get(group.fmt, [[]]))
    depth = rng.randint(max(1, len(libs) - 1), len(libs)) if libs else 0
    outer = libs[len(libs) - depth :]
    chain = []
    for exc in group.chain:
        frames: list[Frame] = [(m, f, 10 + 7 * i + rng.randint(0, 400), False)
                               for i, (m, f) in enumerate(outer)]  # fmt: skip
        for i, (module, function) in enumerate(exc.app):
            base = 20 + 31 * i + (zlib.crc32((module + function).encode()) % 200)
            frames.append((module, function, base + 3 * release + (release * i) % 5, True))
        frames += [(m, f, 50 + rng.randint(0, 5), False) for m, f in exc.inner_lib]
        chain.append(Occurrence(exc.exc_type, fill(exc.message, rng), frames))
    return chain


# -- text renderers: the chain (raised first) in each format's own text --------------------


def _py_path(module: str, app: bool, rng: random.Random) -> str:
    root = rng.choice(["/app", "/srv/shop"]) if app else "/usr/local/lib/python3.11/site-packages"
    return f"{root}/{module.replace('.', '/')}.py"


def text_python(chain: list[Occurrence], rng: random.Random) -> str:
    """A Python traceback, causes printed first."""
    blocks = []
    for occ in reversed(chain):
        lines = ["Traceback (most recent call last):"]
        for module, function, line, app in occ.frames:
            lines += [f'  File "{_py_path(module, app, rng)}", line {line}, in {function}',
                      "    result = call(request)"]  # fmt: skip
        lines.append(f"{occ.exc_type}: {occ.value}")
        blocks.append("\n".join(lines))
    marker = "\n\nThe above exception was the direct cause of the following exception:\n\n"
    return marker.join(blocks)


def _java_line(module: str, function: str, line: int) -> str:
    source = module.rsplit(".", 1)[-1].split("$", maxsplit=1)[0]
    return f"\tat {module}.{function}({source}.java:{line})"


def text_java(chain: list[Occurrence], rng: random.Random) -> str:
    """A JVM trace: thrown first, then `Caused by:` with `... N more`."""
    out: list[str] = []
    enclosing: list[str] = []
    for depth, occ in enumerate(chain):
        printed = [_java_line(m, f, n) for m, f, n, _ in reversed(occ.frames)]
        common = 0
        while (
            common < min(len(printed), len(enclosing))
            and printed[-1 - common] == enclosing[-1 - common]
        ):
            common += 1  # fmt: skip
        head = f"{occ.exc_type}: {occ.value}"
        out.append(head if depth == 0 else f"Caused by: {head}")
        out += printed[: len(printed) - common] + ([f"\t... {common} more"] if common else [])
        enclosing = printed
    if rng.random() < 0.3:
        out[0] = f'Exception in thread "http-nio-8080-exec-{rng.randint(1, 9)}" {out[0]}'
    return "\n".join(out)


def text_js(chain: list[Occurrence], rng: random.Random) -> str:
    """A V8 trace, innermost first."""
    occ = chain[0]
    lines = [f"{occ.exc_type}: {occ.value}"]
    for where, function, line, _ in reversed(occ.frames):
        col = rng.randint(5, 40)
        if function == "<anonymous>":
            lines.append(f"    at {where}:{line}:{col}")
        else:
            lines.append(f"    at {function} ({where}:{line}:{col})")
    return "\n".join(lines)


def _go_file(module: str, app: bool) -> str:
    if not app:
        if "." in module.split("/", 1)[0]:
            return f"/go/pkg/mod/{module}@v5.0.8/mux.go"
        return f"/usr/local/go/src/{module}/server.go"
    return (
        "/build/main.go" if module == "main" else f"/build/{module.rsplit('/', 1)[-1]}/service.go"
    )


def text_go(chain: list[Occurrence], rng: random.Random) -> str:
    """A Go panic with its goroutine, and sometimes other goroutines after it."""
    occ = chain[0]
    lines = [f"panic: {occ.value}" + (" [recovered]" if rng.random() < 0.2 else "")]
    if occ.exc_type == "runtime.errorString":
        lines.append(
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 "
            f"pc={hex(rng.getrandbits(24))}]"
        )
    lines += ["", f"goroutine {rng.randint(1, 900)} [running]:"]
    for module, function, line, app in reversed(occ.frames):
        args = rng.choice(["...", f"{hex(rng.getrandbits(40))}, {{0x0, 0x0}}", "0x0?"])
        lines += [
            f"{module}.{function}({args})",
            f"\t{_go_file(module, app)}:{line} +0x{rng.getrandbits(12):x}",
        ]
    if rng.random() < 0.4:
        lines += ["", f"goroutine {rng.randint(1000, 2000)} [IO wait]:",
                  "internal/poll.runtime_pollWait(0x7f, 0x72)",
                  "\t/usr/local/go/src/runtime/netpoll.go:343 +0x85"]  # fmt: skip
    return "\n".join(lines)  # fmt: skip


def text_dotnet(chain: list[Occurrence], rng: random.Random) -> str:
    """A .NET `ToString()`: outer header, ` ---> ` inner ones, innermost frames first."""
    lines = [f"{chain[0].exc_type}: {chain[0].value}"]
    lines += [f" ---> {occ.exc_type}: {occ.value}" for occ in chain[1:]]
    for depth, occ in enumerate(reversed(chain)):
        if depth:
            lines.append("   --- End of inner exception stack trace ---")
        for module, function, line, app in reversed(occ.frames):
            if app and rng.random() < 0.5:
                lines.append(f"   at {module}.<{function}>d__{rng.randint(1, 9)}.MoveNext() in "
                             f"/src/{module.replace('.', '/')}.cs:line {line}")  # fmt: skip
            elif app:
                path = "C:\\src\\" + module.replace(".", "\\")
                lines.append(f"   at {module}.{function}(Int32 id) in {path}.cs:line {line}")
            else:
                lines.append(f"   at {module}.{function}(HttpContext context)")
    return "\n".join(lines)


def text_cocoa(chain: list[Occurrence], rng: random.Random) -> str:
    """An Apple crash report with the crashed thread (and a last exception backtrace)."""
    occ = chain[0]
    lines = [
        f"Incident Identifier: {uuid.UUID(int=rng.getrandbits(128))}",
        "Hardware Model:      iPhone10,4",
        "OS Version:          iPhone OS 15.7 (19H12)",
        "",
    ]
    ns = occ.exc_type.startswith("NS")
    if ns:
        lines += ["Exception Type:  EXC_CRASH (SIGABRT)", "", "Application Specific Information:",
                  f"*** Terminating app due to uncaught exception '{occ.exc_type}', reason: "
                  f"'{occ.value}'", "", "Last Exception Backtrace:"]  # fmt: skip
    else:
        signal = "SIGTRAP" if occ.exc_type == "EXC_BREAKPOINT" else "SIGSEGV"
        lines += [f"Exception Type:  {occ.exc_type} ({signal})", ""]
        if occ.value.startswith("Fatal error"):
            lines += ["Application Specific Information:", occ.value, ""]
        lines.append("Thread 0 Crashed:")
    frames = list(reversed(occ.frames))
    for index, (image, function, line, app) in enumerate(frames):
        addr = f"0x{rng.getrandbits(36):016x}"
        where = f" ({function.split('.')[0].split(' ')[-1]}.swift:{line})" if app else ""
        lines.append(f"{index:<4}{image:<30}\t{addr} {function} + {rng.randint(4, 900)}{where}")
    lines += [
        "",
        "Thread 1:",
        "0   libsystem_kernel.dylib        \t0x00000001d5e2e1f0 __workq_kernreturn + 8",
    ]
    return "\n".join(lines)  # fmt: skip


TEXT: dict[str, Callable[[list[Occurrence], random.Random], str]] = {
    "python": text_python, "java": text_java, "js": text_js, "go": text_go,
    "dotnet": text_dotnet, "cocoa": text_cocoa,
}  # fmt: skip
PLATFORM = {"python": "python", "java": "java", "js": "node", "go": "go", "dotnet": "csharp",
            "cocoa": "cocoa", "message": "other"}  # fmt: skip


def sentry_frame(fmt: str, frame: Frame) -> dict[str, object]:
    """A frame as the platform's Sentry SDK sends it."""
    module, function, line, app = frame
    base: dict[str, object] = {"lineno": line, "in_app": app}
    if fmt == "python":
        return base | {"module": module, "function": function,
                       "filename": module.replace(".", "/") + ".py",
                       "abs_path": _py_path(module, app, random.Random(line))}  # fmt: skip
    if fmt == "java":
        return base | {"module": module, "function": function,
                       "filename": module.rsplit(".", 1)[-1] + ".java"}  # fmt: skip
    if fmt == "js":
        stem = module.rsplit("/", 1)[-1].removesuffix(".js")
        return base | {"function": function.replace("<anonymous>", "?"), "filename": module,
                       "abs_path": module, "colno": 9, "module": stem}  # fmt: skip
    if fmt == "go":
        return base | {"module": module, "function": function, "abs_path": _go_file(module, app)}
    if fmt == "dotnet":
        signature = f"async Task<IActionResult> {module.rsplit('.', 1)[-1]}.{function}(int id)"
        return base | {"module": module, "function": signature if app else function}
    return base | {"package": f"/private/var/containers/Bundle/Application/X/{module}.app/{module}"
                   if app else f"/usr/lib/{module}", "function": function,
                   "instruction_addr": hex(line * 4096)}  # fmt: skip


def sentry_event(group: Group, chain: list[Occurrence], *, flags: bool) -> dict[str, object]:
    """The event a Sentry SDK would send: exception values root cause first.

    Without `flags` the frames carry no `in_app` (an SDK with no in-app configuration), and
    the heuristics decide, as they do for text.
    """
    event: dict[str, object] = {"platform": PLATFORM[group.fmt], "level": "error"}
    if group.fmt == "message":
        event["logentry"] = {"formatted": chain[0].value}
        return event
    values = []
    for occ in reversed(chain):
        module, _, exc_type = occ.exc_type.rpartition(".")
        if group.fmt in {"go", "dotnet"}:
            module, exc_type = "", occ.exc_type
        frames = [sentry_frame(group.fmt, f) for f in occ.frames]
        if not flags:
            frames = [{k: v for k, v in frame.items() if k != "in_app"} for frame in frames]
        values.append(
            {
                "type": exc_type,
                "value": occ.value,
                "module": module or None,
                "stacktrace": {"frames": frames},
            }
        )
    event["exception"] = {"values": values}
    return event


NOISE = [
    "2026-11-23T08:14:{s:02d}Z INFO  request_id={id} GET /api/cart 200 {n}ms",
    "2026-11-23T08:14:{s:02d}Z WARN  retrying upstream {ip} attempt {n}",
    "2026-11-23T08:14:{s:02d}Z DEBUG cache hit ratio={n}%",
]


def in_log(text: str, rng: random.Random) -> str:
    """The trace inside a log body, with unrelated lines around it; sometimes JSON-escaped."""

    def noise() -> str:
        return rng.choice(NOISE).format(s=rng.randint(0, 59), id=rng.randint(1, 10**6),
                                        n=rng.randint(1, 99), ip="10.0.0.1")  # fmt: skip

    before = [noise() for _ in range(rng.randint(0, 3))]
    after = [noise() for _ in range(rng.randint(0, 2))]
    body = "\n".join([*before, "2026-11-23T08:14:59Z ERROR unhandled error", text, *after])
    if rng.random() < 0.15:
        return json.dumps({"msg": body})[8:-2]  # the body as a JSON string, on one line
    return body


@dataclass(slots=True)
class Labelled:
    group: str
    fmt: str
    form: str  # "json" or "text"
    predicted: str
    baseline: str
    parsed: bool  # a stack was found (always, for JSON events with an exception)
    with_lines: str  # the ablation: fingerprint components plus in-app line numbers


def baseline_key(stack: Stack | None, fallback: str) -> str:
    """Naive grouping: type, full message and every frame with its line."""
    if stack is None:
        return hashlib.sha256(fallback.encode()).hexdigest()
    parts = []
    for exc in stack.chain():
        parts.append(f"{exc.exc_type}|{exc.value}")
        parts += [f"{f.module}|{f.filename}|{f.function}|{f.lineno}" for f in exc.frames]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def with_lines_key(stack: Stack | None, predicted: str) -> str:
    """The fingerprint with every in-app frame's line number added to it."""
    if stack is None:
        return predicted
    lines = [str(f.lineno) for exc in stack.chain() for f in exc.frames if f.is_in_app]
    return predicted + "|" + ",".join(lines)


def generate(seed: int, events: int) -> list[Labelled]:
    """The labelled set, parsed and fingerprinted."""
    rng = random.Random(seed)
    all_groups = groups()
    weights = [g.weight for g in all_groups]
    out = []
    for _ in range(events):
        group = rng.choices(all_groups, weights)[0]
        chain = occurrence(group, rng, release=rng.randint(0, 2))
        form = "json" if group.fmt == "message" or rng.random() < 0.5 else "text"
        if form == "json":
            event = sentry_event(group, chain, flags=rng.random() < 0.7)
            predicted = fingerprint_event(event).digest
            stack = stack_from_sentry_event(event)
        else:
            text = in_log(TEXT[group.fmt](chain, rng), rng)
            stacks = find_stacks(text)
            stack = stacks[0] if stacks else None
            predicted = fingerprint_stack(stack or Stack(exc_type="", value=text)).digest
        out.append(
            Labelled(
                group.name,
                group.fmt,
                form,
                predicted,
                baseline_key(stack, repr(chain)),
                (stack is not None and bool(stack.frames)) or group.fmt == "message",
                with_lines_key(stack, predicted),
            )
        )
    return out


def pair_scores(
    items: list[Labelled], key: Callable[[Labelled], str]
) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a grouping against the labels."""

    def pairs(counter: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    both = pairs(Counter((i.group, key(i)) for i in items))
    predicted = pairs(Counter(key(i) for i in items))
    true = pairs(Counter(i.group for i in items))
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=int, default=640)
    args = parser.parse_args()
    items = generate(args.seed, args.events)
    print(f"{len(items)} events in {len({i.group for i in items})} true groups, seed {args.seed}")
    print(f"{'format':<9} {'events':>6} {'groups':>6} | {'P':>6} {'R':>6} {'F1':>6} | "
          f"{'naive P':>7} {'naive R':>7} {'naive F1':>8} | "
          f"{'+lines F1':>9} | {'groups found':>12} {'text parsed':>11}")  # fmt: skip
    formats = [*TEXT, "message"]
    for fmt in [*formats, "overall"]:
        subset = [i for i in items if fmt in {i.fmt, "overall"}]
        p, r, f = pair_scores(subset, lambda i: i.predicted)
        bp, br, bf = pair_scores(subset, lambda i: i.baseline)
        lf = pair_scores(subset, lambda i: i.with_lines)[2]
        texts = [i for i in subset if i.form == "text"]
        parsed = f"{sum(i.parsed for i in texts)}/{len(texts)}"
        true_groups = len({i.group for i in subset})
        print(f"{fmt:<9} {len(subset):>6} {true_groups:>6} | {p:>6.3f} {r:>6.3f} "
              f"{f:>6.3f} | {bp:>7.3f} {br:>7.3f} {bf:>8.3f} {lf:>9.3f} | "
              f"{len({i.predicted for i in subset}):>12} {parsed:>11}")  # fmt: skip
    ratio = pair_scores(items, lambda i: i.predicted)[2] / max(
        pair_scores(items, lambda i: i.baseline)[2], 1e-9
    )
    print(f"F1 ratio to the naive baseline: {ratio:.1f}x")


if __name__ == "__main__":
    main()
