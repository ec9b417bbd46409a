"""The RSA report as an editable Word document (DOCX), built with python-docx from the same
`Report` as the HTML and PDF versions.

Municipalities edit the report before the council decides on it, often in their own template.
So the document leans on Word's built-in styles only — Title, Subtitle, Heading 1 for the seven
parts, Heading 2 below them, Table Grid, List Bullet, Caption, Strong, Footer — and formats
nothing by hand but the zone colours of the risk matrix: pasted into the municipality's
template, its styles apply. Tables are real Word tables whose header row repeats on every page.

The public version holds exactly what the public PDF holds: both are written from a `Report`
built with `public=True`, which has already left every classified record out.
"""

import datetime
import io
import re

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from varna.core.xml_text import strip_xml_illegal

from .models import Risk
from .report import Report
from .scoring import text_colour

# Spelling and hyphenation in Word follow the document's language.
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}


def _clean(value) -> str:
    # Characters XML 1.0 does not allow (a value stored before input was cleaned): dropped.
    return strip_xml_illegal(str(value)).replace("\r\n", "\n").replace("\r", "\n")


def _text(container, value):
    """Free text as paragraphs: a blank line starts a new paragraph, a single line break stays
    a line break (as `linebreaksbr` shows it on screen)."""
    for block in re.split(r"\n\s*\n", _clean(value).strip()):
        container.add_paragraph(block)


def _hours(n) -> str:
    if n is None:
        return "–"
    return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}


def _repeat_as_header(row) -> None:
    """Mark a table row as the header row that Word repeats at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#").upper())
    cell._tc.get_or_add_tcPr().append(shading)


def _fill(cell, lines, *, strong=False) -> None:
    """Write lines into a cell, one paragraph each (the cell's first, empty paragraph is used)."""
    lines = [line for line in lines if line is not None] or [""]
    for i, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = paragraph.add_run(_clean(line))
        if strong:
            run.style = "Strong"


def _table(document, headers, rows, *, row_headers=False):
    """A Table Grid table with a repeating header row; each row is a list of cells, each cell a
    string or a list of lines. With `row_headers` the first cell of each row is strong."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    _repeat_as_header(table.rows[0])
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _fill(cell, [header], strong=True)
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            _fill(cell, value if isinstance(value, list) else [value], strong=row_headers and i == 0)
    return table


def _bullets(document, items) -> None:
    for item in items:
        document.add_paragraph(_clean(item), style="List Bullet")


def _page_number(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _setup(document, report: Report, version: str) -> None:
    """A4 pages, the language, a footer with the version and the page number, and the core
    properties (title, municipality, analysis, date) that Word shows and searches."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    footer = section.footer.paragraphs[0]
    footer.style = "Footer"
    footer.add_run(f"{_clean(report.analysis.title)} · {version} · ")
    _page_number(footer)

    language = LANGUAGE_TAGS.get((get_language() or "sv").split("-")[0])
    if language:
        for lang in document.styles.element.iter(qn("w:lang")):
            lang.set(qn("w:val"), language)

    analysis = report.analysis
    period = analysis.mandate_period
    subject = _("Risk and vulnerability analysis") + (f" {period.label}" if period else "")
    produced = report.generated_at.astimezone(datetime.UTC).replace(tzinfo=None)
    properties = document.core_properties
    properties.title = _clean(f"{_('RSA report')} – {analysis.title}")[:255]
    properties.subject = _clean(f"{subject} – {analysis.title}")[:255]
    properties.author = properties.last_modified_by = _clean(report.municipality)[:255]
    properties.category = version
    properties.keywords = "RSA, MSBFS 2015:5"
    properties.comments = ""  # python-docx's template says "generated by python-docx"
    properties.language = language or ""
    properties.created = properties.modified = produced
    properties.revision = 1
    # python-docx's template carries a thumbnail of its own sample page: file browsers would show it.
    package_rels = document.part.package.rels
    for r_id in [r_id for r_id, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
        del package_rels[r_id]


def render(report: Report) -> bytes:
    """The report as a DOCX file."""
    analysis, period = report.analysis, report.analysis.mandate_period
    version = _("Public version") if report.public else _("Full version, including classified parts")
    document = Document()
    _setup(document, report, version)

    # The head: the title, the municipality and analysis, the version and its dates.
    document.add_heading(_clean(analysis.title), level=0)
    kicker = f"{report.municipality} · {_('Risk and vulnerability analysis')}"
    document.add_paragraph(_clean(kicker + (f" {period.label}" if period else "")), style="Subtitle")
    line = f"{version} · {_('produced')} {report.generated_at:%Y-%m-%d %H:%M}"
    if period:
        line += f" · {_('to the county administrative board by')} {period.rva_deadline:%Y-%m-%d}"
    document.add_paragraph(line)
    if report.public and report.left_out:
        document.add_paragraph(
            ngettext(
                "%(n)s classified record is left out of this version (Public Access and Secrecy Act).",
                "%(n)s classified records are left out of this version (Public Access and Secrecy Act).",
                report.left_out,
            )
            % {"n": report.left_out}
        )

    # 1. The municipality and its geographic area.
    document.add_heading(f"1. {_('The municipality and its geographic area')}", level=1)
    document.add_paragraph(
        _(
            "The analysis covers %(group)s: the municipality and its wholly and partly owned companies, "
            "and the municipality's geographic area."
        )
        % {"group": _clean(report.group_name)}
    )
    if report.companies:
        names = ", ".join(_clean(c.name) for c in report.companies)
        document.add_paragraph(f"{_('Municipal companies')}: {names}.")
    if analysis.scope:
        _text(document, analysis.scope)

    # 2. Work process and method.
    document.add_heading(f"2. {_('Work process and method')}", level=1)
    _text(document, analysis.method or "–")
    for heading, value in (
        (_("Participants"), analysis.participants),
        (_("Sources"), analysis.sources),
        (_("Scoping decisions"), analysis.scoping),
    ):
        if value:
            document.add_heading(heading, level=2)
            _text(document, value)

    # 3. Identified vital societal functions.
    document.add_heading(f"3. {_('Identified vital societal functions')}", level=1)
    if report.functions:
        _table(
            document,
            [_("Function"), _("Responsible unit"), _("Acceptable service level"), _("Maximum tolerable outage")],
            [[f.name, f.unit.name, f.acceptable_level or "–", _hours(f.max_outage_hours)] for f in report.functions],
        )
    else:
        document.add_paragraph(_("No vital functions registered yet."))

    # 4. Critical dependencies, per function.
    document.add_heading(f"4. {_('Critical dependencies')}", level=1)
    for f in report.functions:
        document.add_heading(_clean(f.name), level=2)
        if f.visible_dependencies:
            _table(
                document,
                [_("Kind"), _("What"), _("Tolerable loss"), _("Reserve or backup")],
                [
                    [d.get_kind_display(), d.label, _hours(d.tolerable_outage_hours), d.reserve or "–"]
                    for d in f.visible_dependencies
                ],
            )
        else:
            document.add_paragraph(_("No critical dependencies are registered."))
    if not report.functions:
        document.add_paragraph(_("No vital functions registered yet."))

    # 5. Identified and analysed risks: the matrix, then every risk.
    document.add_heading(f"5. {_('Identified and analysed risks')}", level=1)
    n = len(report.risks)
    document.add_paragraph(
        ngettext(
            "%(n)s risk, with life and health first, then zone and level.",
            "%(n)s risks, with life and health first, then zone and level.",
            n,
        )
        % {"n": n}
    )
    caption = document.add_paragraph(_("Risk matrix"), style="Caption")
    caption.paragraph_format.keep_with_next = True
    matrix = _table(
        document,
        [_("Likelihood")] + [f"{level} {name}" for level, name in report.consequence_levels],
        [
            [
                f"{row['level']} {row['name']}",
                *([str(cell["count"] or ""), cell["zone"].label] for cell in row["cells"]),
            ]
            for row in report.matrix_rows
        ],
        row_headers=True,
    )
    for row, table_row in zip(report.matrix_rows, matrix.rows[1:], strict=True):
        for cell, table_cell in zip(row["cells"], table_row.cells[1:], strict=True):
            _shade(table_cell, cell["zone"].colour)
            colour = RGBColor.from_string(text_colour(cell["zone"].colour).lstrip("#").upper())
            for paragraph in table_cell.paragraphs:
                for run in paragraph.runs:
                    run.font.color.rgb = colour
    if report.risks:
        document.add_paragraph()  # Word joins two tables that touch; a paragraph keeps them apart.
        _table(document, [_("Risk"), _("Kind"), _("Responsible unit"), _("Risk level")], map(_risk_row, report.risks))

    # 6. Identified vulnerabilities and shortcomings in crisis preparedness.
    document.add_heading(f"6. {_('Identified vulnerabilities and shortcomings in crisis preparedness')}", level=1)
    document.add_heading(_("Capability"), level=2)
    if report.shortcomings:
        _bullets(
            document,
            [f"{f.name} – {a.event_type}: {a.level_name}. {a.reasons}".strip() for f, a in report.shortcomings],
        )
    else:
        document.add_paragraph(_("No capability assessment shows a shortcoming."))
    document.add_heading(_("Critical dependencies without a reserve"), level=2)
    if report.unprotected:
        _bullets(document, [f"{f.name}: {d.get_kind_display().lower()} – {d.label}" for f, d in report.unprotected])
    else:
        document.add_paragraph(_("Every critical dependency has a reserve."))
    document.add_heading(_("Serious risks without a measure"), level=2)
    if report.untreated:
        _bullets(document, [r.title for r in report.untreated])
    else:
        document.add_paragraph(
            _("Every risk in the most severe zone or with a high consequence for life and health has a measure.")
        )

    # 7. Needs for measures.
    document.add_heading(f"7. {_('Needs for measures')}", level=1)
    if report.measures:
        classified = _("classified")
        _table(
            document,
            [_("Measure"), _("Owner unit"), _("Due date"), _("Status")],
            [
                [
                    f"{m.title} ({classified})" if m.is_classified else m.title,
                    m.unit.name,
                    f"{m.due_date:%Y-%m-%d}" if m.due_date else "–",
                    m.get_status_display(),
                ]
                for m in report.measures
            ],
        )
    else:
        document.add_paragraph(_("No open measures are linked to the analysis's risks."))
    if report.untreated:
        k = len(report.untreated)
        document.add_paragraph(
            ngettext(
                "In addition, %(n)s serious risk needs a measure (part 6).",
                "In addition, %(n)s serious risks need a measure (part 6).",
                k,
            )
            % {"n": k}
        )

    if document.element.body[-2].tag != qn("w:p"):  # end on a paragraph after the last table, as Word does
        document.add_paragraph()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _risk_row(r) -> list:
    title = f"{r.title} ({_('classified')})" if r.is_classified else r.title
    kind = r.get_kind_display() + (f" · {r.category}" if r.category else "")
    level = _("not assessed")
    if r.likelihood:
        level = f"{r.likelihood} × {r.consequence} = {r.level} ({r.zone_info.label})"
    notes = []
    if r.flagged:
        notes.append(_("high consequence for life and health"))
    if r.status == Risk.State.ACCEPTED:
        notes.append(_("accepted"))
    return [[title, r.description or None], kind, r.unit.name, [level, *notes]]
