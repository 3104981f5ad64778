"""Cost per step of residual-based adaptive collocation (RAD) against uniform sampling."""
