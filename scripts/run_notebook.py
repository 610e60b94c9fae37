"""Executes one notebook headless with the tslab kernel and exports it to HTML.

Called by `choicelab notebooks run` (src/cli/notebooks.ts), which validates names and
parameters; this script only talks to Jupyter. Parameters are injected papermill-style:
a cell tagged `injected-parameters` is placed right after the cell tagged `parameters`.

Exit codes: 0 ran; 1 a cell failed (the executed notebook and its HTML are still written,
so nothing is lost); 2 Jupyter itself failed (kernel missing, bad notebook file).
"""

import argparse
import json
import os
import sys
import time

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nbconvert")


def ts_literal(value):
    """A TypeScript literal for a JSON value (JSON is valid TypeScript)."""
    return json.dumps(value)


def inject_parameters(nb, params, nbformat):
    """Drops an earlier injected cell and inserts a fresh one after the `parameters` cell."""
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    if not params:
        return None
    at = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            at = i
            break
    if at is None:
        return "the notebook has no cell tagged `parameters`, so parameters cannot be injected"
    lines = ["// Parameters injected by `choicelab notebooks run`"]
    lines += [f"let {name} = {ts_literal(value)};" for name, value in params.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, cell)
    return None


def failure_text(cell):
    """The useful part of a failed cell's output: error values and stderr, without kernel frames."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = f"{out.get('ename', '')}: {out.get('evalue', '')}".strip(": ")
            if value:
                parts.append(value)
        elif out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
    lines = []
    for line in "\n".join(parts).splitlines():
        if "node_modules/tslab" in line or "(node:" in line or line.strip().startswith("at sigintHandlersWrap"):
            continue
        lines.append(line)
    text = "\n".join(lines).strip()
    return text or "(the cell failed without an error message)"


def export_html(nb, path, title):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_template_basedirs=[TEMPLATE_DIR], template_name="choicelab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notebook", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--params", default="{}")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args()

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as e:
        print(f"Jupyter is not available to {sys.executable}: {e}", file=sys.stderr)
        return 2

    name = os.path.splitext(os.path.basename(args.notebook))[0]
    os.makedirs(args.out, exist_ok=True)
    out_ipynb = os.path.join(args.out, name + ".ipynb")
    out_html = os.path.join(args.out, name + ".html")

    try:
        nb = nbformat.read(args.notebook, as_version=4)
    except Exception as e:  # a broken file is the user's input, report it plainly
        print(f"cannot read notebook {args.notebook}: {e}", file=sys.stderr)
        return 2
    problem = inject_parameters(nb, json.loads(args.params), nbformat)
    if problem:
        print(f"{args.notebook}: {problem}", file=sys.stderr)
        return 2

    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    failed = None
    started = time.time()
    try:
        with client.setup_kernel():
            for k, index in enumerate(code_cells):
                cell = nb.cells[index]
                first = (cell.source.strip().splitlines() or [""])[0][:60]
                print(f"  [{k + 1}/{len(code_cells)}] cell {index + 1}: {first}", file=sys.stderr, flush=True)
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError:
                    failed = (index, cell)
                    break
                finally:
                    # tslab sends no execute_input message, so nbclient leaves the count empty.
                    if cell.get("execution_count") is None:
                        cell["execution_count"] = k + 1
    except Exception as e:  # kernel could not start, died, or timed out
        if failed is None:
            print(f"{args.notebook}: Jupyter failed: {type(e).__name__}: {e}", file=sys.stderr)
            nbformat.write(nb, out_ipynb)
            return 2
    nb.metadata.setdefault("choicelab", {})["run"] = {
        "seconds": round(time.time() - started, 2),
        "parameters": json.loads(args.params),
        "failed_cell": None if failed is None else failed[0] + 1,
    }
    nbformat.write(nb, out_ipynb)
    export_html(nb, out_html, name)
    if failed is not None:
        index, cell = failed
        source = "\n".join("    " + line for line in cell.source.splitlines()[:8])
        print(
            f"{args.notebook}: cell {index + 1} failed\n{source}\n{failure_text(cell)}\n"
            f"(the notebook up to the failure is in {out_ipynb} and {out_html})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
