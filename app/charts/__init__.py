"""Server-side charts as inline SVG: no JavaScript, no inline styles (strict CSP); classes only."""
