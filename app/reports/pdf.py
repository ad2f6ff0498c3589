"""PDF documents with fpdf2 (pure Python, installs from PyPI alone): a title block, a running header
and footer with page numbers, headings, paragraphs, facts (label: value), tables and a horizontal bar
chart. DejaVu Sans is embedded (subset) so €, Dutch diacritics and typographic quotes print correctly.

    doc = Document(title="Gunningsbeslissing", subtitle="SAM-2027-00001", footer="Gemeente Almere")
    doc.heading("Uitkomst per perceel")
    doc.paragraph("…")
    doc.table(["Criterium", "Score"], [["Visie", "8"]], widths=(3, 1))
    doc.bar_chart([("Bureau A", 72.5), ("Bureau B", 64.0)], maximum=100)
    pdf_bytes = doc.output()

Used by the award letters; reports reuse it.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from fpdf import FPDF, FontFace, XPos, YPos

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
INK = (27, 31, 36)
MUTED = (91, 101, 113)
BRAND = (21, 66, 115)
BAR = (1, 104, 155)
LINE = (216, 222, 230)
HEAD_FILL = (232, 241, 251)


class _PDF(FPDF):
    def __init__(self, header_text: str, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.header_text = header_text
        self.footer_text = footer_text

    def header(self):
        if self.page_no() == 1:
            return  # the first page carries the title block instead
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.header_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*LINE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(4)
        self.set_text_color(*INK)

    def footer(self):
        self.set_y(-14)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")
        self.set_text_color(*INK)


class Document:
    """A one-column A4 document. Every method appends to the flow; `output()` returns the bytes."""

    def __init__(self, title: str, subtitle: str = "", footer: str = "", header: Optional[str] = None,
                 author: str = "Samenspel", created: Optional[datetime] = None, language: str = "nl"):
        self.pdf = _PDF(header if header is not None else f"{title} — {subtitle}".strip(" —"), footer)
        pdf = self.pdf
        pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_title(title)
        pdf.set_author(author)
        pdf.set_creator("Samenspel")
        pdf.set_lang(language)
        if created is not None:
            pdf.set_creation_date(created)
        pdf.set_margins(20, 18, 20)
        pdf.set_auto_page_break(True, margin=20)
        pdf.add_page()
        pdf.set_text_color(*BRAND)
        pdf.set_font(FAMILY, "B", 18)
        pdf.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            pdf.set_text_color(*MUTED)
            pdf.set_font(FAMILY, "", 10)
            pdf.multi_cell(0, 5, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        pdf.ln(4)

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def heading(self, text: str, level: int = 1) -> None:
        size = {1: 14, 2: 12, 3: 10.5}.get(level, 10.5)
        pdf = self.pdf
        # Keep a heading with at least a few lines of what follows it.
        if pdf.will_page_break(size + 18):
            pdf.add_page()
        pdf.ln(3 if level > 1 else 5)
        pdf.set_font(FAMILY, "B", size)
        pdf.set_text_color(*(BRAND if level == 1 else INK))
        pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        pdf.ln(1.5)

    def paragraph(self, text: str, bold: bool = False, size: float = 10, muted: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if bold else "", size)
        if muted:
            pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, size * 0.5, text or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        pdf.ln(1.5)

    def facts(self, pairs: Iterable[tuple[str, str]], label_width: float = 0.35) -> None:
        """Label: value lines, labels in bold on the left."""
        pdf = self.pdf
        lw = self.width * label_width
        for label, value in pairs:
            pdf.set_font(FAMILY, "B", 10)
            y = pdf.get_y()
            pdf.multi_cell(lw, 5, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.set_font(FAMILY, "", 10)
            pdf.multi_cell(self.width - lw, 5, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_y(max(pdf.get_y(), y + 5))
        pdf.ln(2)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]], widths: Optional[Sequence[float]] = None,
              align: Optional[Sequence[str]] = None, size: float = 9) -> None:
        """A table whose cells wrap; the header row repeats on a new page. `widths` are proportions."""
        pdf = self.pdf
        pdf.set_font(FAMILY, "", size)
        pdf.set_draw_color(*LINE)
        pdf.set_fill_color(255, 255, 255)
        kwargs = {"col_widths": tuple(widths)} if widths else {}
        if align:
            kwargs["text_align"] = tuple(a.upper() for a in align)
        with pdf.table(width=self.width, line_height=size * 0.5, first_row_as_headings=True,
                       headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL), borders_layout="HORIZONTAL_LINES",
                       padding=1.2, **kwargs) as table:
            for cells in [header, *rows]:
                row = table.row()
                for cell in cells:
                    row.cell("" if cell is None else str(cell))
        pdf.ln(3)

    def bar_chart(self, items: Sequence[tuple[str, float]], maximum: float = 100,
                  value_text: Callable[[float], str] = lambda v: f"{v:g}", label_width: float = 0.35,
                  bar_height: float = 5) -> None:
        """Horizontal bars, one per (label, value), drawn as vector rectangles on a 0..maximum axis."""
        pdf = self.pdf
        lw = self.width * label_width
        track = self.width - lw - 18
        if pdf.will_page_break(len(items) * (bar_height + 2) + 4):
            pdf.add_page()
        pdf.set_font(FAMILY, "", 9)
        for label, value in items:
            y = pdf.get_y()
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(lw - 2, bar_height, label, align="R")
            x = pdf.l_margin + lw
            pdf.set_fill_color(*HEAD_FILL)
            pdf.rect(x, y, track, bar_height, style="F")
            share = max(0.0, min(1.0, float(value) / float(maximum))) if maximum else 0.0
            pdf.set_fill_color(*BAR)
            if share > 0:
                pdf.rect(x, y, track * share, bar_height, style="F")
            pdf.set_xy(x + track + 2, y)
            pdf.cell(16, bar_height, value_text(value))
            pdf.set_y(y + bar_height + 2)
        pdf.set_fill_color(255, 255, 255)
        pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
