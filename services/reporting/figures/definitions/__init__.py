"""Jaarcijfers definitions as data (jaarcijfers_<jaar>.json); a package so installs ship them."""
