"""`csc-scorecard serve`: the dashboard under uvicorn, on 127.0.0.1 unless told otherwise.

One process (the snapshot, the scorecard cache and the write lock are per process); uvicorn serves requests on
its event loop and runs the page handlers, which wait on DuckDB, in its thread pool. Put a TLS proxy in front
(and set `https`) to serve it beyond the machine it runs on.
"""

from __future__ import annotations

from ..config import WebSettings


def serve(settings: WebSettings, *, host: str = "127.0.0.1", port: int = 8000, **uvicorn_options) -> None:
    """Serve until stopped; AssetsError at once if the front-end files are not built."""
    import uvicorn

    from .app import create_app
    from .assets import check_built

    check_built()

    # The app decides which forwarded headers to believe (web/proxies.py); uvicorn's own handling would
    # believe them from 127.0.0.1 whatever the settings say.
    options = {"log_level": "info", "proxy_headers": False, "server_header": False, **uvicorn_options}
    uvicorn.run(create_app(settings), host=host, port=port, **options)
