"""Project exports: a gzipped tarball of one project folder, for the `!export` chat command."""

from pathlib import Path


def export_project(projects: Path, exports: Path, name: str) -> Path:
    """Archive the folder `projects/<name>` as `exports/<name>.tgz` and return the archive's path.

    `name` is the text someone typed after `!export` in chat.
    """
    raise NotImplementedError("export_project: see issue #41")
