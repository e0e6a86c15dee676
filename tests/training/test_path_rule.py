"""The path rule (service/catalogue/paths.py): a dataset path is resolved (relative: under
the first root; symlinks and `..` followed; `~` kept), then must lie strictly inside a root
and outside the excluded folders; readable_dataset_path also needs the right kind of file and
read access. The engine's and the API's use of it: test_dataset_paths.py, test_datasets.py."""

from __future__ import annotations

import os

from service.catalogue.paths import inside_roots, readable_dataset_path


def test_inside_roots_resolves_then_checks(place, tmp_path):
    a, b, elsewhere = place
    roots = (a, b)
    assert inside_roots("in.npz", roots) == a / "in.npz"  # relative: under the first root
    assert inside_roots(b / "other.npz", roots) == b / "other.npz"
    assert inside_roots("sub/../in.npz", roots) == a / "in.npz"
    assert inside_roots("missing.npz", roots) == a / "missing.npz"  # existence: not here
    (a / "alias.npz").symlink_to(b / "other.npz")  # a link from one root into another
    assert inside_roots("alias.npz", roots) == b / "other.npz"
    assert inside_roots("~/in.npz", roots) == a / "~" / "in.npz"  # ~ is not expanded
    for outside in ("../elsewhere/secret.npz", str(elsewhere / "secret.npz"), "/", "..", ".",
                    str(a), "", "in.npz\x00", "../a2/x.npz"):
        assert inside_roots(outside, roots) is None, outside
    (a / "out.npz").symlink_to(elsewhere / "secret.npz")
    (a / "door").symlink_to(elsewhere, target_is_directory=True)
    assert inside_roots("out.npz", roots) is None
    assert inside_roots("door/secret.npz", roots) is None
    (tmp_path / "a2").mkdir()  # a sibling whose name starts like a root's
    assert inside_roots(tmp_path / "a2" / "x.npz", roots) is None
    assert inside_roots("private/x.npz", roots, excluded=(a / "private",)) is None
    assert inside_roots("in.npz", ()) is None


def test_readable_dataset_path_needs_the_right_kind(place):
    a, _, _ = place
    (a / "folder").mkdir()
    assert readable_dataset_path("npz", "in.npz", (a,)) == a / "in.npz"
    assert readable_dataset_path("npz", "folder", (a,)) is None
    assert readable_dataset_path("image_folder", "folder", (a,)) == a / "folder"
    assert readable_dataset_path("image_folder", "in.npz", (a,)) is None
    assert readable_dataset_path("npz", "nothing.npz", (a,)) is None
    if os.geteuid() != 0:  # root reads everything
        (a / "locked.npz").write_bytes(b"")
        (a / "locked.npz").chmod(0)
        assert readable_dataset_path("npz", "locked.npz", (a,)) is None
