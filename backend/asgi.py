"""The ASGI entry point for servers (``uvicorn backend.asgi:app``), configured from the environment."""

from backend.app import create_app
from backend.settings import load_settings

app = create_app(load_settings())
