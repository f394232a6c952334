"""Endpoints the tests call: echo, a write through a function, refusals and a crash."""
from __future__ import annotations

from modelry import (DataError, HttpRequest, HttpResponse, Model, current_user_id,
                     endpoint, fields, function, transaction)


class Note(Model, model="hooktest.Note"):
    text = fields.String(size=64, required=True, unique=True)


@function(namespace="hooktest.Note", type="CREATE")
def keep(text: str) -> Note:
    """Keep a note, in a transaction of its own."""
    with transaction():
        return Note(text=text).create()


@endpoint("/echo/{name}", methods=("GET", "POST"))
def echo(request: HttpRequest) -> HttpResponse:
    """What the endpoint saw."""
    return HttpResponse.json({"method": request.method, "name": request.path_params["name"],
                              "query": dict(request.query), "body": request.text(),
                              "signature": request.headers.get("x-signature"),
                              "user": current_user_id()}, status=201)


@endpoint("/notes")
def add_note(request: HttpRequest) -> dict:
    """Keep the note the JSON body carries; a dict answers 200 JSON."""
    note = keep(request.json()["text"])
    return {"id": note.id, "text": note.text}


@endpoint("/refuse", methods=("PUT",))
def refuse(request: HttpRequest) -> HttpResponse:
    raise DataError("hooktest.Note: refused on purpose", code="REFUSED", model="hooktest.Note")


@endpoint("/crash", methods=("DELETE",), max_body=10)
def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail")
