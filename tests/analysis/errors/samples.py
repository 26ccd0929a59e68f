"""Stack traces as each runtime prints them, shared by the parsing and fingerprint tests."""
# ruff: noqa: E501  # the samples are verbatim runtime output, whose lines run long

from __future__ import annotations

from nightcall.analysis.errors import Stack

PYTHON = """\
Traceback (most recent call last):
  File "/app/shop/db.py", line 12, in fetch
    row = cursor.fetchone()
  File "/usr/local/lib/python3.11/site-packages/psycopg/cursor.py", line 88, in fetchone
    raise e
psycopg.errors.QueryCanceled: canceling statement due to statement timeout

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/shop/views.py", line 42, in checkout
    order = place_order(cart_id)
            ^^^^^^^^^^^^^^^^^^^^
  File "/app/shop/orders.py", line 17, in place_order
    raise OrderError(f"order {cart_id} failed") from exc
shop.orders.OrderError: order 8812 failed"""

JAVA = """\
Exception in thread "main" java.lang.IllegalStateException: Order 123 not found
\tat com.shop.OrderService.place(OrderService.java:42) ~[app.jar:1.0]
\tat com.shop.OrderController.post(OrderController.java:17)
\tat java.base/java.lang.Thread.run(Thread.java:833)
Caused by: java.sql.SQLTimeoutException: timeout after 30000ms
\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:100)
\tat com.shop.OrderRepository.find(OrderRepository.java:55)
\t... 2 more"""

JS = """\
TypeError: Cannot read properties of undefined (reading 'id')
    at CartService.addItem (/app/src/services/cart.js:42:17)
    at async Router.handle (/app/node_modules/express/lib/router/index.js:284:7)
    at /app/src/routes/cart.js:10:5
    at new Promise (<anonymous>)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"""

GO = """\
panic: runtime error: index out of range [5] with length 3

goroutine 1 [running]:
main.(*Server).handle(0xc000010000, {0x0, 0x0})
\t/app/server.go:42 +0x1c
github.com/shop/orders.Place(...)
\t/app/orders/place.go:17
net/http.HandlerFunc.ServeHTTP(0x0?, {0x7f, 0xc0})
\t/usr/local/go/src/net/http/server.go:2136 +0x2f
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3086 +0x5cb

goroutine 7 [IO wait]:
internal/poll.runtime_pollWait(0x7f, 0x72)
\t/usr/local/go/src/runtime/netpoll.go:343 +0x85"""

DOTNET = """\
Unhandled exception. System.InvalidOperationException: Failed to place order
 ---> Npgsql.NpgsqlException (0x80004005): Exception while reading from stream
   at Npgsql.Internal.NpgsqlReadBuffer.Ensure(Int32 count)
   at Shop.Orders.OrderRepository.<FindAsync>d__4.MoveNext() in /src/Orders/OrderRepository.cs:line 33
   --- End of inner exception stack trace ---
   at Shop.Orders.OrderService.PlaceAsync(Int32 orderId) in C:\\src\\Orders\\OrderService.cs:line 42
--- End of stack trace from previous location ---
   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.Execute(Object executor)"""

COCOA = """\
Incident Identifier: 6F1A3E2B-1234-4C5D-9E8F-0A1B2C3D4E5F
Hardware Model:      iPhone10,4
Exception Type:  EXC_BREAKPOINT (SIGTRAP)

Application Specific Information:
Fatal error: Unexpectedly found nil while unwrapping an Optional value

Thread 0 Crashed:
0   libswiftCore.dylib            \t0x00000001a1b2c3d4 _assertionFailure(_:_:file:line:flags:) + 300
1   ShopApp                       \t0x0000000100a1b2c4 CheckoutViewController.placeOrder(_:) + 312 (CheckoutViewController.swift:88)
2   ShopApp                       \t0x0000000100a1b000 closure #1 in CheckoutViewController.viewDidLoad() + 40 (CheckoutViewController.swift:40)
3   UIKitCore                     \t0x00000001a0000000 -[UIApplication sendAction:to:from:forEvent:] + 100

Thread 1:
0   libsystem_kernel.dylib        \t0x00000001d5e2e1f0 __workq_kernreturn + 8
1   libsystem_pthread.dylib       \t0x00000001d5e2e1f8 _pthread_wqthread + 8"""


def render(stack: Stack) -> list[str]:
    """A stack chain as short lines: `type: value`, then `module|function|file:line|app`."""
    lines: list[str] = []
    for exception in stack.chain():
        lines.append(f"{exception.exc_type}: {exception.value}")
        lines.extend(
            f"  {f.module}|{f.function}|{f.filename}:{f.lineno}|{'app' if f.is_in_app else 'lib'}"
            for f in exception.frames
        )
    return lines
