"""Which frames are the application's own code: the in-app heuristics per platform.

A caller who knows the application's packages passes `in_app_prefixes` (module or path
prefixes, such as `shop.` or `/srv/shop/`); a frame is then in-app exactly when its module or
file starts with one of them. Otherwise the heuristics below mark library and runtime frames
(site-packages, node_modules, the Go root and module cache, `java.*`, `System.*`, the Apple
system images, ...) as not in-app and everything else as in-app.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nightcall.analysis.errors.frames import Platform

_LIBRARY_PATH = re.compile(
    r"(site-packages|dist-packages|node_modules|/lib/python\d|/usr/lib/|/usr/local/lib/"
    r"|/go/pkg/mod/|/usr/local/go/|/usr/lib/go|GOROOT|/vendor/|/\.cargo/|/System/Library/"
    r"|^node:|^internal/|<frozen |^<anonymous>$|^native$|^webpack/bootstrap)",
    re.IGNORECASE,
)
_JVM_LIBRARY = (
    "java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "android.",
    "androidx.", "dalvik.", "com.android.", "org.springframework.", "org.apache.", "org.hibernate.",
    "io.netty.", "reactor.", "okhttp3.", "okio.", "retrofit2.", "com.google.", "org.junit.",
    "com.fasterxml.", "io.grpc.", "org.eclipse.", "io.micronaut.", "io.quarkus.", "akka.",
    "org.postgresql.", "com.mysql.", "com.zaxxer.", "io.lettuce.", "redis.clients.", "feign.",
    "org.slf4j.", "ch.qos.", "io.reactivex.", "rx.", "io.ktor.", "org.jetbrains.",
)  # fmt: skip
_DOTNET_LIBRARY = ("System.", "Microsoft.", "Mono.", "Newtonsoft.", "Npgsql.", "Grpc.", "Polly.")
_COCOA_LIBRARY = frozenset({
    "UIKitCore", "UIKit", "Foundation", "CoreFoundation", "GraphicsServices", "SwiftUI",
    "QuartzCore", "CoreData", "CFNetwork", "Security", "WebKit", "AppKit", "dyld", "Combine",
    "CoreGraphics", "FrontBoardServices", "BaseBoard", "AVFoundation", "MapKit", "Sentry",
})  # fmt: skip
_GO_LIBRARY_PREFIXES = ("golang.org/x/", "google.golang.org/", "github.com/getsentry/")


def is_in_app(
    platform: Platform, module: str, filename: str, in_app_prefixes: Sequence[str] = ()
) -> bool:
    """Whether a frame is the application's own code (see the module docstring for the rules)."""
    if in_app_prefixes:
        return any(module.startswith(p) or filename.startswith(p) for p in in_app_prefixes)
    if filename and _LIBRARY_PATH.search(filename):
        return False
    if platform is Platform.JAVA:
        return not module.startswith(_JVM_LIBRARY)
    if platform is Platform.DOTNET:
        return not module.startswith(_DOTNET_LIBRARY) and module not in {"System", "Microsoft"}
    if platform is Platform.GO:
        return _is_go_app_package(module)
    if platform is Platform.COCOA:
        image = module.rsplit("/", 1)[-1]
        return not (
            image in _COCOA_LIBRARY
            or image.startswith(("lib", "Core"))
            or image.endswith(".dylib")
            or module.startswith(("/usr/lib/", "/System/"))
        )
    # <frozen importlib._bootstrap>, <string>: the interpreter's frames, not the app's
    return not (platform is Platform.PYTHON and filename.startswith("<"))


def _is_go_app_package(package: str) -> bool:
    """Go's standard library has no dot in its first path element; `main` is the app's."""
    if not package:
        return False
    if package == "main" or package.startswith("main."):
        return True
    first = package.split("/", 1)[0]
    return "." in first and not package.startswith(_GO_LIBRARY_PREFIXES)
