"""excitable sweep: grids, the tidy table and figure, one-line errors, resume, and Dask == local.

The reference for every row is the experiment run on its own at that point (``experiments.run``);
the Dask runs must give the same table, byte for byte, since each point is the same computation.
"""

import csv
import json

import numpy as np
import pytest

from excitable import experiments
from excitable.interfaces.cli.main import main
from excitable.workflows import sweeping
from excitable.workflows.sweeping import JOURNAL, TABLE, parse_axis, sweep

EXP = "action-potential"
SETS = {"tstop": 8.0, "model": "hh"}  # short runs: one compiled program serves every grid point; the
# squid axon (not the default textbook cell), whose threshold the grid's amplitudes straddle


def axes2():
    return [parse_axis("amplitude=5:40:4", EXP), parse_axis("gNa_scale=0.5:1.5:3", EXP)]


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    return sweep(EXP, axes2(), sets=SETS, out=out), out


def test_grid_axes_from_ranges_and_lists():
    a = parse_axis("amplitude=5:40:8", EXP)
    assert a.key == "amplitude" and np.allclose(a.values, np.linspace(5, 40, 8))
    assert parse_axis("model=hh,textbook", EXP).values == ("hh", "textbook")
    assert parse_axis("delay = 1:1:1", EXP).values == (1.0,)


def test_local_sweep_writes_one_row_per_point_with_the_experiments_summary(local):
    res, out = local
    rows = read_csv(out / TABLE)
    assert len(rows) == 12 == len(res.rows) and res.computed == 12
    assert list(rows[0])[:2] == ["amplitude", "gNa_scale"]  # grid values first, first axis slowest
    assert [float(r["gNa_scale"]) for r in rows[:3]] == [0.5, 1.0, 1.5]
    assert (out / "sweep.png").stat().st_size > 1000
    # Row 6 (amplitude 16.67, gNa_scale 1.5) equals a run of the experiment at that point.
    r = rows[5]
    ref = experiments.run(EXP, **SETS, amplitude=float(r["amplitude"]), gNa_scale=float(r["gNa_scale"]))
    for key in ("peak_mV", "rest_mV", "n_spikes"):
        assert float(r[key]) == pytest.approx(ref.summary[key], rel=1e-12)
    # Across threshold the peak jumps: the all-or-none response shows in the table.
    assert min(float(x["peak_mV"] or -1e9) for x in rows if x["n_spikes"] == "1") > 0


def test_one_axis_gives_a_line_figure_and_cli_reports(tmp_path, capsys):
    out = tmp_path / "s1"
    assert main(["sweep", EXP, "--grid", "gK_scale=0.5,1,2", "--set", "tstop=8", "--out", str(out)]) == 0
    assert "3 grid points (3 computed now)" in capsys.readouterr().out
    assert len(read_csv(out / TABLE)) == 3 and (out / "sweep.png").exists()
    assert main(["sweep", EXP, "--grid", "gK_scale=0.5,1,2", "--set", "tstop=8", "--out", str(out)]) == 0
    assert "(0 computed now)" in capsys.readouterr().out  # resumed: nothing left to do
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


@pytest.mark.parametrize("grid", ["amplitude=5:40", "amplitude=a:b:3", "amplitude=5:40:0", "amplitude=5:40:2.5",
                                  "nope=1:2:3", "amplitude", "model=hh,frog", "model=1:2:3", "dt=-1:1:3",
                                  "amplitude=1,,2", "amplitude=1,1", "amplitude=nan:1:3"])
def test_bad_grid_is_one_line_exit_2(grid, tmp_path, capsys):
    assert main(["sweep", EXP, "--grid", grid, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("excitable: error:") and "\n" not in err
    assert not (tmp_path / "x").exists()


def test_other_user_errors_exit_2(tmp_path, capsys):
    out = str(tmp_path / "x")
    assert main(["sweep", EXP, "--grid", "amplitude=1:2:2", "--set", "amplitude=3", "--out", out]) == 2
    assert main(["sweep", EXP, "--out", out]) == 2
    assert main(["sweep", "no-such", "--grid", "a=1:2:2", "--out", out]) == 2
    with pytest.raises(SystemExit) as e:
        main(["sweep", EXP, "--grid", "amplitude=1:2:2"])  # --out is required
    assert e.value.code == 2


def test_interrupted_sweep_keeps_its_rows_and_resume_computes_only_the_rest(tmp_path, local, monkeypatch):
    monkeypatch.setattr(sweeping, "LOCAL_BATCH", 5)  # rows arrive 5 at a time
    out = tmp_path / "resume"
    seen = []

    def stop_after_five(rows):
        seen.extend(rows)
        if len(seen) >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(EXP, axes2(), sets=SETS, out=out, on_rows=stop_after_five)
    lines = (out / JOURNAL).read_text().splitlines()
    assert len(lines) == 1 + 5 and json.loads(lines[0])["experiment"] == EXP
    assert len(read_csv(out / TABLE)) == 5  # the table holds what was done
    with open(out / JOURNAL, "a") as f:
        f.write('{"point": {"amplitude": 5.0, "gNa')  # a line cut short by a crash is ignored
    res = sweep(EXP, axes2(), sets=SETS, out=out)
    assert res.computed == 7
    assert (out / TABLE).read_text() == (local[1] / TABLE).read_text()
    # Same grid, other fixed settings: refused, not mixed.
    with pytest.raises(Exception, match="another sweep.*tstop"):
        sweep(EXP, axes2(), sets={"tstop": 9.0}, out=out)


def test_dask_sweep_equals_local_and_survives_a_killed_worker(tmp_path, local):
    distributed = pytest.importorskip("distributed")
    expected = (local[1] / TABLE).read_text()
    with distributed.LocalCluster(n_workers=3, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        out = tmp_path / "dask"
        assert main(["sweep", EXP, "--grid", "amplitude=5:40:4", "--grid", "gNa_scale=0.5:1.5:3",
                     "--set", "tstop=8", "--set", "model=hh", "--out", str(out), "--scheduler", cluster.scheduler_address,
                     "--batch", "2"]) == 0
        assert (out / TABLE).read_text() == expected
        # Close a worker that is running a batch as soon as the first rows arrive: Dask runs its
        # tasks elsewhere, and the table is still complete and identical.
        killed = []

        def kill_one(rows):
            if not killed:
                busy = [w for w in cluster.workers.values() if w.state.executing_count] or \
                    list(cluster.workers.values())
                killed.append(busy[0].address)
                cluster.sync(busy[0].close)

        out2 = tmp_path / "dask-kill"
        res = sweep(EXP, axes2(), sets=SETS, out=out2, scheduler=client, batch_size=1, on_rows=kill_one)
        assert killed and len(client.scheduler_info()["workers"]) == 2
        assert res.computed == 12 and (out2 / TABLE).read_text() == expected
