"""Convert a folder of PDFs on Ray: Ray Data hands batches of paths to a pool of actors, each
with one pageflow Converter (models loaded once per actor, not per file), and the actors write
Markdown and DoclingDocument JSON next to each other in the output folder.

On this machine (a local Ray is started):
    python ray_convert.py IN_DIR OUT_DIR --actors 2 --cores-per-actor 1
On a cluster (IN_DIR and OUT_DIR on storage every node mounts; pageflow installed on every node):
    python ray_convert.py /mnt/archive /mnt/converted --address auto --actors 32 --cores-per-actor 4
"""
import argparse
from pathlib import Path

import ray

import pageflow


class ConvertBatch:
    """One Ray actor: a Converter for its life, and a batch of paths per call."""

    def __init__(self, out_dir: str, cores: int):
        self.out_dir = Path(out_dir)
        self.converter = pageflow.Converter(cores=cores)

    def __call__(self, batch: dict) -> dict:
        rows = {"path": [], "status": [], "pages": [], "errors": []}
        for result in self.converter.convert_all(list(batch["path"])):
            if result.status != pageflow.ConversionStatus.FAILURE:
                stem = Path(result.source).stem
                (self.out_dir / f"{stem}.md").write_text(result.markdown, encoding="utf-8")
                (self.out_dir / f"{stem}.json").write_text(result.json, encoding="utf-8")
            rows["path"].append(result.source)
            rows["status"].append(result.status.value)
            rows["pages"].append(len(result.pages))
            rows["errors"].append("; ".join(str(e) for e in result.errors))
        return rows


def convert_folder(in_dir: str, out_dir: str, actors: int, cores_per_actor: int, batch_size: int = 4) -> list[dict]:
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    paths = sorted(str(p) for p in Path(in_dir).glob("*.pdf"))
    dataset = ray.data.from_items([{"path": p} for p in paths])
    converted = dataset.map_batches(
        ConvertBatch,
        fn_constructor_kwargs={"out_dir": out_dir, "cores": cores_per_actor},
        batch_size=batch_size,
        num_cpus=cores_per_actor,
        compute=ray.data.ActorPoolStrategy(size=actors),
        batch_format="numpy",
    )
    return list(converted.iter_rows())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("in_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--address", help="a running Ray cluster ('auto'); default: start a local one")
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--cores-per-actor", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=4)
    args = parser.parse_args()
    if args.address:
        ray.init(address=args.address)
    else:
        ray.init(num_cpus=args.actors * args.cores_per_actor, include_dashboard=False)
    try:
        rows = convert_folder(args.in_dir, args.out_dir, args.actors, args.cores_per_actor, args.batch_size)
    finally:
        ray.shutdown()
    for row in rows:
        print(row["status"], row["pages"], row["path"], row["errors"])


if __name__ == "__main__":
    main()
