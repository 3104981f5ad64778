"""The RWF paper's tables and figures, each registered with ``pinnrwf bench`` (table8–14, nerf, siren)."""
