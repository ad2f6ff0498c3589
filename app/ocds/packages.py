"""The release package and record files, item by item, and the record's compiled release.

The compiled release merges a tender's releases with the standard's reference implementation
(`ocdsmerge`).
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import IO, Iterable

import ocdsmerge

from app.ocds.common import Settings, iso, put

VERSION = "1.1"
# The merge rules of the OCDS 1.1.5 release schema with the lots extension (its `omitWhenMerged` and
# `wholeListMerge` fields). Given explicitly so compiling needs no schema download; a test checks them
# against the standard's schema files.
MERGE_RULES = {
    ("date",): "omitWhenMerged", ("id",): "omitWhenMerged", ("tag",): "omitWhenMerged",
    **{path: "wholeListMerge" for path in (
        ("awards", "amendment", "changes"), ("awards", "amendments", "changes"),
        ("awards", "items", "additionalClassifications"), ("awards", "suppliers", "additionalIdentifiers"),
        ("buyer", "additionalIdentifiers"), ("contracts", "amendment", "changes"),
        ("contracts", "amendments", "changes"),
        ("contracts", "implementation", "transactions", "payee", "additionalIdentifiers"),
        ("contracts", "implementation", "transactions", "payer", "additionalIdentifiers"),
        ("contracts", "items", "additionalClassifications"), ("contracts", "relatedProcesses", "relationship"),
        ("parties", "additionalIdentifiers"), ("parties", "roles"), ("relatedProcesses", "relationship"),
        ("tender", "additionalProcurementCategories"), ("tender", "amendment", "changes"),
        ("tender", "amendments", "changes"), ("tender", "items", "additionalClassifications"),
        ("tender", "procuringEntity", "additionalIdentifiers"), ("tender", "submissionMethod"),
        ("tender", "tenderers", "additionalIdentifiers"),
    )},
    # The lots extension's `relatedLots` arrays.
    **{(*parent, "relatedLots"): "wholeListMerge" for parent in (
        ("awards",), ("awards", "documents"), ("contracts", "documents"), ("contracts", "implementation", "documents"),
        ("contracts", "implementation", "milestones"), ("contracts", "implementation", "milestones", "documents"),
        ("contracts", "milestones"), ("contracts", "milestones", "documents"), ("planning", "documents"),
        ("planning", "milestones"), ("planning", "milestones", "documents"), ("tender", "documents"),
        ("tender", "lotGroups"), ("tender", "milestones"), ("tender", "milestones", "documents"),
    )},
}


@cache
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(merge_rules=MERGE_RULES)


def compiled_record(releases: list[dict]) -> dict:
    return {"ocid": releases[0]["ocid"], "releases": releases,
            "compiledRelease": _merger().create_compiled_release(releases)}


def package_head(settings: Settings, uri: str, published: datetime) -> dict:
    publisher = {"name": settings.publisher}
    put(publisher, "uri", settings.publisher_uri)
    head = {"uri": uri, "version": VERSION, "extensions": list(settings.extensions),
            "publishedDate": iso(published), "publisher": publisher}
    put(head, "license", settings.license)
    return head


def write_package(fp: IO[str], head: dict, key: str, items: Iterable[dict]) -> int:
    """Write a package item by item, so a package of any size never sits in memory whole."""
    fp.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "' + key + '": [')
    count = 0
    for item in items:
        fp.write(("," if count else "") + "\n" + json.dumps(item, ensure_ascii=False))
        count += 1
    fp.write("\n]}\n")
    return count
