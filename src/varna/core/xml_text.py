"""Characters that XML 1.0 cannot hold, and so neither can an XLSX or DOCX file.

C0 control characters other than tab, line feed and carriage return, the surrogates (a lone one
is no character at all) and the non-characters U+FFFE and U+FFFF. A title holding one of them
once made every XLSX export of its register fail ("All strings must be XML compatible"): they are
stripped from form data and imported cells at input (core/middleware.py, core/tabular.py)
and from every cell an export writes (core/spreadsheets.py), so a value stored before still exports.
"""

import re

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_xml_illegal(text: str) -> str:
    return XML_ILLEGAL.sub("", text)


def has_xml_illegal(text: str) -> bool:
    return XML_ILLEGAL.search(text) is not None
