"""gazu's ``files`` module: output types, softwares, working and output files, paths.

Object-style equivalents: ``OutputFile.next_revision(...)``,
``task.new_working_file(...)``, ``OutputFile.build_path(...)``,
``project.file_tree = kitsu.file_tree("default")`` (see docs/migration.md).

gazu keeps them in one module; here each of its concepts has its own, and
this one answers for them all under gazu's name:

- :mod:`.reference`: output types, softwares and file statuses;
- :mod:`.working`: working files;
- :mod:`.output`: output files and their revisions;
- :mod:`.paths`: project file trees and the paths they build;
- :mod:`.previews`: preview files, their paths, downloads and extracts;
- :mod:`.attachments`: comment attachments, and the avatars of people, projects
  and organisations;
- :mod:`.transfer`: streamed downloads and uploads;
- :mod:`.targets`: what output files hang on, shared by the others.

Where the usage page calls a function with other arguments than gazu 1.3.1
takes, both forms are accepted when they can be told apart (by the ``type``
of a dict argument or by a string that is not an id).
"""

from __future__ import annotations

from . import attachments, output, paths, previews, reference, working
from .attachments import *  # noqa: F403 - each concept module lists what it answers for
from .output import *  # noqa: F403 - each concept module lists what it answers for
from .paths import *  # noqa: F403 - each concept module lists what it answers for
from .previews import *  # noqa: F403 - each concept module lists what it answers for
from .reference import *  # noqa: F403 - each concept module lists what it answers for
from .working import *  # noqa: F403 - each concept module lists what it answers for

__all__ = sorted(
    [
        *attachments.__all__,
        *output.__all__,
        *paths.__all__,
        *previews.__all__,
        *reference.__all__,
        *working.__all__,
    ]
)
