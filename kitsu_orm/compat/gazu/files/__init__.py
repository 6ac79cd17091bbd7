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

from .attachments import (
    download_attachment_file,
    download_attachment_thumbnail,
    download_organisation_avatar,
    download_person_avatar,
    download_project_avatar,
    get_all_attachment_files_for_project,
    get_all_attachment_files_for_task,
    get_attachment_file,
    get_attachment_thumbnail_url,
    upload_organisation_avatar,
    upload_person_avatar,
    upload_project_avatar,
)
from .output import (
    all_output_files_for_asset_instance,
    all_output_files_for_entity,
    all_output_files_for_project,
    get_last_asset_instance_ouput_revision,
    get_last_asset_instance_output_revision,
    get_last_entity_ouput_revision,
    get_last_entity_output_revision,
    get_last_output_files_for_asset_instance,
    get_last_output_files_for_entity,
    get_next_asset_instance_ouput_revision,
    get_next_asset_instance_output_revision,
    get_next_entity_ouput_revision,
    get_next_entity_output_revision,
    get_output_file,
    get_output_file_by_path,
    new_asset_instance_output_file,
    new_entity_output_file,
    update_output_file,
)
from .paths import (
    build_asset_instance_output_file_path,
    build_entity_output_file_path,
    build_working_file_path,
    set_project_file_tree,
    update_project_file_tree,
)
from .previews import (
    download_preview_file,
    download_preview_file_cover,
    download_preview_file_thumbnail,
    download_preview_lowdef_movie,
    download_preview_movie,
    extract_frame_from_preview,
    extract_tile_from_preview,
    get_all_preview_files_for_task,
    get_preview_file,
    get_preview_file_url,
    get_preview_lowdef_movie_url,
    get_preview_movie_url,
    get_running_preview_files,
    remove_preview_file,
    update_preview,
    update_preview_annotations,
    update_preview_position,
    wait_for_preview_file,
)
from .reference import (
    all_output_types,
    all_output_types_for_asset_instance,
    all_output_types_for_entity,
    all_softwares,
    get_file_status,
    get_file_status_by_name,
    get_output_type,
    get_output_type_by_name,
    get_software,
    get_software_by_name,
    new_file_status,
    new_output_type,
    new_software,
    update_software,
)
from .working import (
    download_working_file,
    get_all_working_files_for_entity,
    get_last_working_file_revision,
    get_last_working_files,
    get_working_file,
    get_working_files_for_task,
    new_working_file,
    update_comment,
    update_modification_date,
    upload_working_file,
)

__all__ = [
    "all_output_files_for_asset_instance",
    "all_output_files_for_entity",
    "all_output_files_for_project",
    "all_output_types",
    "all_output_types_for_asset_instance",
    "all_output_types_for_entity",
    "all_softwares",
    "build_asset_instance_output_file_path",
    "build_entity_output_file_path",
    "build_working_file_path",
    "download_attachment_file",
    "download_attachment_thumbnail",
    "download_organisation_avatar",
    "download_person_avatar",
    "download_preview_file",
    "download_preview_file_cover",
    "download_preview_file_thumbnail",
    "download_preview_lowdef_movie",
    "download_preview_movie",
    "download_project_avatar",
    "download_working_file",
    "extract_frame_from_preview",
    "extract_tile_from_preview",
    "get_all_attachment_files_for_project",
    "get_all_attachment_files_for_task",
    "get_all_preview_files_for_task",
    "get_all_working_files_for_entity",
    "get_attachment_file",
    "get_attachment_thumbnail_url",
    "get_file_status",
    "get_file_status_by_name",
    "get_last_asset_instance_ouput_revision",
    "get_last_asset_instance_output_revision",
    "get_last_entity_ouput_revision",
    "get_last_entity_output_revision",
    "get_last_output_files_for_asset_instance",
    "get_last_output_files_for_entity",
    "get_last_working_file_revision",
    "get_last_working_files",
    "get_next_asset_instance_ouput_revision",
    "get_next_asset_instance_output_revision",
    "get_next_entity_ouput_revision",
    "get_next_entity_output_revision",
    "get_output_file",
    "get_output_file_by_path",
    "get_output_type",
    "get_output_type_by_name",
    "get_preview_file",
    "get_preview_file_url",
    "get_preview_lowdef_movie_url",
    "get_preview_movie_url",
    "get_running_preview_files",
    "get_software",
    "get_software_by_name",
    "get_working_file",
    "get_working_files_for_task",
    "new_asset_instance_output_file",
    "new_entity_output_file",
    "new_file_status",
    "new_output_type",
    "new_software",
    "new_working_file",
    "remove_preview_file",
    "set_project_file_tree",
    "update_comment",
    "update_modification_date",
    "update_output_file",
    "update_preview",
    "update_preview_annotations",
    "update_preview_position",
    "update_project_file_tree",
    "update_software",
    "upload_organisation_avatar",
    "upload_person_avatar",
    "upload_project_avatar",
    "upload_working_file",
    "wait_for_preview_file",
]
