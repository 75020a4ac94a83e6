"""The golden site: every output file equals the committed expected output, byte for byte."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.golden_site import EXPECTED
from tests.support import tree

TEXT_SUFFIXES = {".html", ".xml", ".json", ".css", ".js", ".txt", ".svg"}


def describe_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """Explain how two trees differ: missing and extra files, then a unified diff per file."""
    report: list[str] = []
    report += [f"missing from the build: {name}" for name in sorted(expected.keys() - actual)]
    report += [f"not in expected output: {name}" for name in sorted(actual.keys() - expected)]
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] == actual[name]:
            continue
        if Path(name).suffix in TEXT_SUFFIXES:
            diff = difflib.unified_diff(
                expected[name].decode().splitlines(),
                actual[name].decode().splitlines(),
                f"expected/{name}",
                f"built/{name}",
                lineterm="",
            )
            report.append("\n".join(diff))
        else:
            report.append(f"binary file differs: {name}")
    return "\n".join(report)


def test_expected_output_is_committed() -> None:
    assert (EXPECTED / "index.html").is_file(), "run `invoke golden` and commit the output"


def test_golden_build_logs_no_warnings(golden_builds: dict[str, object]) -> None:
    assert golden_builds["warnings"] == []


def test_every_file_matches_the_expected_output(golden_site: Path) -> None:
    expected, actual = tree(EXPECTED), tree(golden_site)
    differences = describe_differences(expected, actual)
    assert not differences, (
        "the golden site changed; if intended, run `invoke golden` and review the diff:\n"
        + differences
    )


def test_a_second_build_with_a_warm_cache_is_byte_identical(
    golden_builds: dict[str, object],
) -> None:
    cold, warm = tree(golden_builds["cold"]), tree(golden_builds["warm"])
    assert len(cold) > 20
    assert not describe_differences(cold, warm)
