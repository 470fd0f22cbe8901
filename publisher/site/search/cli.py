"""`portal search QUERY`: staff search the built site's index, exactly what the public can find."""

from __future__ import annotations

import json
import sys

import click

from publisher.core.schema import RECORD_TYPES

from .service import PAGE_SIZE, SearchError, SearchService, parse_request, results_json


@click.command()
@click.argument("query")
@click.option("--type", "type_", type=click.Choice(list(RECORD_TYPES)), help="Only this record type.")
@click.option("--year", help="Only this year, e.g. 2025.")
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print what GET /api/search would return.")
@click.pass_context
def search(ctx: click.Context, query: str, type_: str | None, year: str | None, page: int, as_json: bool) -> None:
    """Search the built site's index (run `portal build` first), as a citizen would on /search/."""
    config = ctx.obj.config  # publisher.cli.PortalContext
    params = {"q": [query], "type": [type_ or ""], "year": [year or ""], "page": [str(page)],
              "page_size": [str(PAGE_SIZE)]}
    service = SearchService(config.paths.output)
    try:
        request = parse_request(params)
        data = results_json(request, service.run(request, "cli"))
    except SearchError as exc:
        click.echo(f"无法搜索 search refused: {exc.message}", err=True)
        sys.exit(2)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"“{query}”：共 {data['total']} 条" + (f"，第 {page}/{data['pages']} 页" if data["pages"] > 1 else ""))
    for n, hit in enumerate(data["hits"], (page - 1) * PAGE_SIZE + 1):
        click.echo(f"{n:>3}. 【{hit['type_name']}】{hit['title']}  {hit['date']}  {config.site.url}{hit['url']}")
    facets = data["facets"]
    if data["total"]:
        click.echo("按类型：" + "，".join(f"{RECORD_TYPES[k].zh} {v}" for k, v in sorted(facets["type"].items())))
        click.echo("按年份：" + "，".join(f"{k} {v}" for k, v in sorted(facets["year"].items(), reverse=True)))
