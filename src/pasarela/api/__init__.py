"""HTTP adapter: parses requests, calls the data plane, renders replies. The only package that
imports FastAPI or Starlette."""
