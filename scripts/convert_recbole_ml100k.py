"""Convert the MovieLens 100K copy inside the recbole 1.2.1 wheel to the CSV files in lab_utils/movielens/.

Run once by a maintainer; the project never imports recbole. Usage:

    pip download recbole==1.2.1 --no-deps -d /tmp/rb
    unzip /tmp/rb/recbole-1.2.1-py3-none-any.whl 'recbole/dataset_example/ml-100k/*' -d /tmp/rb
    python scripts/convert_recbole_ml100k.py /tmp/rb/recbole/dataset_example/ml-100k lab_utils/movielens/

The two repairs it makes to recbole's item file are listed in lab_utils/movielens/README.md.
"""

import csv
import sys
from pathlib import Path

# Repairs to recbole's ml-100k.item, checked against GroupLens' original u.item.
TITLE_FIXES = {
    267: ("unknown", ""),  # recbole spells the placeholder "unkonwn"; u.item has no date for it
    1412: ("Land Before Time III: The Time of the Great Giving", "1995"),  # year left in the title
}


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[0], rows[1:]


def convert(src: Path, dst: Path) -> None:
    _, inter = read_tsv(src / "ml-100k.inter")
    with open(dst / "ratings.csv", "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["user_id", "movie_id", "rating", "timestamp"])
        for user, item, rating, ts in sorted(inter, key=lambda r: (int(r[0]), int(r[1]))):
            out.writerow([int(user), int(item), int(float(rating)), int(float(ts))])

    _, items = read_tsv(src / "ml-100k.item")
    with open(dst / "movies.csv", "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["movie_id", "title", "year", "genres"])
        for item, title, year, genres in sorted(items, key=lambda r: int(r[0])):
            movie_id = int(item)
            title, year = TITLE_FIXES.get(movie_id, (title, year))
            out.writerow([movie_id, title, year, "|".join(genres.split(" "))])

    _, users = read_tsv(src / "ml-100k.user")
    with open(dst / "users.csv", "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["user_id", "age", "gender", "occupation", "zip_code"])
        for user, age, gender, occupation, zip_code in sorted(users, key=lambda r: int(r[0])):
            out.writerow([int(user), int(age), gender, occupation, zip_code])


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
