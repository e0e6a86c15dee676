"""Uploaded datasets: an npz uploaded to a project, checked, and trained by id."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from service.api.deps import PagingDep, PrincipalDep, SettingsDep, StoresDep
from service.api.uploads import receive_form
from service.datasets import create_dataset, delete_dataset, form_name, too_large
from service.schemas import Dataset, Name, Page

router = APIRouter(prefix="/datasets", tags=["datasets"])

# The form's text fields are checked as the JSON bodies' names are (service.datasets).
_NAME_SCHEMA = TypeAdapter(Name).json_schema()
_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["project", "file"],
                    "additionalProperties": False,
                    "properties": {
                        "project": {
                            **_NAME_SCHEMA,
                            "description": "the project's name or id (made if new)",
                        },
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "an .npz (numpy.savez): arrays x and y, and "
                            "optionally x_val and y_val; at most FITDOC_MAX_UPLOAD_BYTES",
                        },
                        "name": {**_NAME_SCHEMA, "description": "default: the file's name"},
                    },
                }
            }
        },
    }
}


@router.post("", status_code=201, openapi_extra=_FORM)
async def upload_dataset(
    request: Request, stores: StoresDep, settings: SettingsDep, principal: PrincipalDep
) -> Dataset:
    """Upload an npz to a project; train it with `{"dataset": {"name": "npz", "id": ...}}`.
    422 names the array at fault (`file.y`), 413 over FITDOC_MAX_UPLOAD_BYTES."""
    received = await receive_form(
        request,
        folder=settings.uploads_dir / ".incoming",
        file_field="file",
        text_fields={"project", "name"},
        max_file_bytes=settings.max_upload_bytes,
        too_large=lambda: too_large(settings),
    )
    try:
        project = form_name(received.fields.get("project"), "project")
        principal.check(project, "project", project, "project")
        return await run_in_threadpool(
            create_dataset,
            stores,
            settings,
            project=project,
            name=received.fields.get("name"),
            staged=received.path,
            filename=received.filename,
            size_bytes=received.size,
            sha256=received.sha256,
            created_by=principal.token_id,
        )
    finally:
        received.discard()  # nothing left once create_dataset has moved it


@router.get("")
def list_datasets(
    stores: StoresDep, paging: PagingDep, principal: PrincipalDep, project: str | None = None
) -> Page[Dataset]:
    return stores.datasets.list(paging.limit, paging.cursor, principal.scope(project))


@router.get("/{dataset_id}")
def read_dataset(dataset_id: str, stores: StoresDep, principal: PrincipalDep) -> Dataset:
    dataset = stores.datasets.get(dataset_id)
    principal.check(dataset.project, "dataset", dataset_id)
    return dataset


@router.delete("/{dataset_id}", status_code=204)
def remove_dataset(
    dataset_id: str, stores: StoresDep, settings: SettingsDep, principal: PrincipalDep
) -> None:
    """The upload and its file. Jobs that read it and have not started fail."""
    dataset = stores.datasets.get(dataset_id)
    principal.check(dataset.project, "dataset", dataset_id)
    delete_dataset(stores, settings, dataset_id)
