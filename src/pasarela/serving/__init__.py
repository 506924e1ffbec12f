"""The data plane: snapshot, batching and the request path."""
