"""Charts drawn on the server as SVG: no JavaScript, styled only through classes (strict CSP)."""
