"""Plain-text stack traces: golden parses per format, chains, and finding traces in logs."""

# ruff: noqa: E501  # golden expectations hold whole frames, as long as the traces print them

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nightcall.analysis.errors import Platform, find_stack_matches, find_stacks, parse_stack
from tests.analysis.errors.samples import COCOA, DOTNET, GO, JAVA, JS, PYTHON, render


def test_python_chained_traceback_golden() -> None:
    """A chained Python traceback parses to the raised exception with its cause, lines kept."""
    [stack] = find_stacks(PYTHON)
    assert stack.platform is Platform.PYTHON
    assert render(stack) == [
        "shop.orders.OrderError: order 8812 failed",
        "  shop.views|checkout|/app/shop/views.py:42|app",
        "  shop.orders|place_order|/app/shop/orders.py:17|app",
        "psycopg.errors.QueryCanceled: canceling statement due to statement timeout",
        "  shop.db|fetch|/app/shop/db.py:12|app",
        "  psycopg.cursor|fetchone|/usr/local/lib/python3.11/site-packages/psycopg/cursor.py:88|lib",
    ]


def test_python_during_handling_is_a_chain() -> None:
    """ "During handling of the above exception" joins two tracebacks as exception and cause."""
    text = PYTHON.replace(
        "The above exception was the direct cause of the following exception:",
        "During handling of the above exception, another exception occurred:",
    )
    [stack] = find_stacks(text)
    assert [s.exc_type for s in stack.chain()] == [
        "shop.orders.OrderError",
        "psycopg.errors.QueryCanceled",
    ]


def test_java_caused_by_golden() -> None:
    """A JVM trace reads innermost last, and `... 2 more` refills the cause's outer frames."""
    [stack] = find_stacks(JAVA)
    assert render(stack) == [
        "java.lang.IllegalStateException: Order 123 not found",
        "  java.lang.Thread|run|Thread.java:833|lib",
        "  com.shop.OrderController|post|OrderController.java:17|app",
        "  com.shop.OrderService|place|OrderService.java:42|app",
        "java.sql.SQLTimeoutException: timeout after 30000ms",
        "  java.lang.Thread|run|Thread.java:833|lib",
        "  com.shop.OrderController|post|OrderController.java:17|app",
        "  com.shop.OrderRepository|find|OrderRepository.java:55|app",
        "  org.postgresql.jdbc.PgStatement|execute|PgStatement.java:100|lib",
    ]


def test_kotlin_frames_parse_as_jvm() -> None:
    """Kotlin's `.kt` frames and `Unknown Source` locations are JVM frames."""
    text = (
        "kotlin.KotlinNullPointerException: null\n"
        "\tat com.shop.cart.CartKt.total(Cart.kt:12)\n"
        "\tat com.shop.cart.CartActivity.onCreate(Unknown Source)\n"
        "\tat android.app.Activity.performCreate(Activity.java:8000)"
    )
    [stack] = find_stacks(text)
    assert stack.exc_type == "kotlin.KotlinNullPointerException"
    assert [(f.function, f.lineno, f.is_in_app) for f in stack.frames] == [
        ("performCreate", 8000, False),
        ("onCreate", None, True),
        ("total", 12, True),
    ]


def test_jvm_lambdas_and_hidden_classes() -> None:
    """Lambda frames and hidden lambda classes (`$$Lambda$12/0x...`) stay in one JVM trace."""
    text = (
        "java.lang.RuntimeException: boom\n"
        "\tat com.shop.Svc.lambda$handle$0(Svc.java:12)\n"
        "\tat java.base/java.util.ArrayList.forEach(ArrayList.java:1541)\n"
        "\tat com.shop.Svc$$Lambda$123/0x0000000800c0b440.accept(Unknown Source)\n"
        "\tat com.shop.Svc.handle(Svc.java:10)"
    )
    [stack] = find_stacks(text)
    assert [(f.module, f.function) for f in stack.frames] == [
        ("com.shop.Svc", "handle"),
        ("com.shop.Svc$$Lambda", "accept"),
        ("java.util.ArrayList", "forEach"),
        ("com.shop.Svc", "lambda$handle$0"),
    ]


def test_javascript_golden() -> None:
    """V8 frames, bare `at file:line:col` and `<anonymous>` frames parse, innermost last."""
    [stack] = find_stacks(JS)
    assert render(stack) == [
        "TypeError: Cannot read properties of undefined (reading 'id')",
        "  |process.processTicksAndRejections|node:internal/process/task_queues:95|lib",
        "  |new Promise|<anonymous>:None|lib",
        "  |<anonymous>|/app/src/routes/cart.js:10|app",
        "  |Router.handle|/app/node_modules/express/lib/router/index.js:284|lib",
        "  |CartService.addItem|/app/src/services/cart.js:42|app",
    ]
    assert stack.frames[-1].colno == 17


def test_node_cause_is_chained() -> None:
    """Node's `[cause]:` block becomes the cause of the error printed above it."""
    text = (
        "Error: failed to load user\n"
        "    at loadUser (/app/src/users.js:10:11)\n"
        "    at async main (/app/src/index.js:5:3) {\n"
        "  code: 'E_LOAD',\n"
        "  [cause]: Error: connect ECONNREFUSED 127.0.0.1:5432\n"
        "      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {\n"
        "    errno: -111\n"
        "  }\n"
        "}"
    )
    [stack] = find_stacks(text)
    assert [f.function for f in stack.frames] == ["main", "loadUser"]
    assert stack.cause is not None
    assert stack.cause.value == "connect ECONNREFUSED 127.0.0.1:5432"
    assert stack.cause.frames[0].function == "TCPConnectWrap.afterConnect"


def test_javascript_gecko_frames() -> None:
    """Firefox's `fn@file:line:col` frames parse as JavaScript."""
    text = "Error: boom\nhandleClick@https://shop.example/static/app.js:10:3\n@https://shop.example/static/app.js:99:1"
    [stack] = find_stacks(text)
    assert [(f.function, f.lineno) for f in stack.frames] == [
        ("<anonymous>", 99),
        ("handleClick", 10),
    ]


def test_go_panic_golden() -> None:
    """A Go panic gives sentry-go's type, the panicking goroutine's frames, and other goroutines."""
    panicking, other = find_stacks(GO)
    assert render(panicking) == [
        "runtime.boundsError: runtime error: index out of range [5] with length 3",
        "  net/http|(*Server).Serve|/usr/local/go/src/net/http/server.go:3086|lib",
        "  net/http|HandlerFunc.ServeHTTP|/usr/local/go/src/net/http/server.go:2136|lib",
        "  github.com/shop/orders|Place|/app/orders/place.go:17|app",
        "  main|(*Server).handle|/app/server.go:42|app",
    ]
    assert other.exc_type == "goroutine"
    assert other.frames[0].module == "internal/poll"


def test_dotnet_inner_exception_golden() -> None:
    """.NET inner exceptions become causes, and async state machines read as their method."""
    [stack] = find_stacks(DOTNET)
    assert render(stack) == [
        "System.InvalidOperationException: Failed to place order",
        "  Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor|Execute|:None|lib",
        "  Shop.Orders.OrderService|PlaceAsync|C:\\src\\Orders\\OrderService.cs:42|app",
        "Npgsql.NpgsqlException: Exception while reading from stream",
        "  Shop.Orders.OrderRepository|FindAsync|/src/Orders/OrderRepository.cs:33|app",
        "  Npgsql.Internal.NpgsqlReadBuffer|Ensure|:None|lib",
    ]


def test_cocoa_crash_report_golden() -> None:
    """A crash report gives the crashed thread only, typed by the Mach exception."""
    [stack] = find_stacks(COCOA)
    assert render(stack) == [
        "EXC_BREAKPOINT: Fatal error: Unexpectedly found nil while unwrapping an Optional value",
        "  UIKitCore|-[UIApplication sendAction:to:from:forEvent:]|:None|lib",
        "  ShopApp|closure #1 in CheckoutViewController.viewDidLoad()|CheckoutViewController.swift:40|app",
        "  ShopApp|CheckoutViewController.placeOrder(_:)|CheckoutViewController.swift:88|app",
        "  libswiftCore.dylib|_assertionFailure(_:_:file:line:flags:)|:None|lib",
    ]


def test_cocoa_last_exception_backtrace_wins() -> None:
    """An uncaught NSException's `Last Exception Backtrace` is returned with its name and reason."""
    text = (
        "*** Terminating app due to uncaught exception 'NSInvalidArgumentException', reason: "
        "'-[__NSCFString count]: unrecognized selector sent to instance 0x600000a1c0'\n"
        "Last Exception Backtrace:\n"
        "0   CoreFoundation  \t0x1a2b3c4d5 __exceptionPreprocess + 164\n"
        "1   ShopApp         \t0x100a1b2c4 ProductListView.reload() + 12 (ProductListView.swift:30)\n"
        "\nThread 0 Crashed:\n"
        "0   libsystem_kernel.dylib\t0x1d5e2e1f0 __pthread_kill + 8\n"
    )
    [stack] = find_stacks(text)
    assert stack.exc_type == "NSInvalidArgumentException"
    assert stack.value.startswith("-[__NSCFString count]")
    assert stack.frames[0].function == "ProductListView.reload()"


def test_find_stacks_in_noisy_log() -> None:
    """Traces of several formats inside unrelated log lines are each found, in order."""
    noise = "2026-11-23T08:14:03Z INFO GET /api/cart 200 12ms\nuser=bob at home (not a frame)\n"
    text = "\n".join([noise, PYTHON, noise, JAVA, noise, JS, noise])
    matches = find_stack_matches(text)
    assert [m.stack.platform for m in matches] == [
        Platform.PYTHON,
        Platform.JAVA,
        Platform.JAVASCRIPT,
    ]
    lines = text.split("\n")
    assert lines[matches[1].start_line].startswith("Exception in thread")


def test_json_escaped_log_body() -> None:
    """A traceback JSON-escaped onto one line (literal \\n) is still found."""
    escaped = JAVA.replace("\n", "\\n").replace("\t", "\\t")
    [stack] = find_stacks(f'{{"level":"error","msg":"{escaped}"}}')
    assert stack.exc_type == "java.lang.IllegalStateException"
    assert len(stack.frames) == 3


def test_in_app_prefixes_decide_when_given() -> None:
    """With in-app prefixes, only frames under them are in-app."""
    [stack] = find_stacks(JAVA, in_app_prefixes=["com.shop.OrderService"])
    assert [f.function for f in stack.frames if f.is_in_app] == ["place"]


def test_text_without_a_trace() -> None:
    """Ordinary text holds no stack."""
    assert parse_stack("everything is fine at 10:42, see file.py line 3") is None
    assert find_stacks("") == []


@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    """Arbitrary text parses without raising, and every stack found has frames."""
    assert all(stack.frames for stack in find_stacks(text))


@given(st.lists(st.sampled_from([*PYTHON.split("\n"), *JAVA.split("\n"), *GO.split("\n"),
                                 *DOTNET.split("\n"), *JS.split("\n"), *COCOA.split("\n"),
                                 "", "garbage", "    at"]), max_size=40))  # fmt: skip
def test_shuffled_trace_lines_are_deterministic(lines: list[str]) -> None:
    """Any mix of trace lines parses without raising, the same way twice."""
    text = "\n".join(lines)
    assert find_stacks(text) == find_stacks(text)


@pytest.mark.parametrize("sample", [PYTHON, JAVA, JS, GO, DOTNET, COCOA])
def test_parse_is_deterministic(sample: str) -> None:
    """Parsing the same text twice gives equal stacks."""
    assert find_stacks(sample) == find_stacks(sample)
