"""The Tensor demos (MNIST, ModernNetwork, architectures, graduate) run and print the numbers
they claim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_torch

from demos import architectures, cnn, graduate, mnist, modern_network
from nn.data import write_idx

ROOT = Path(__file__).resolve().parents[2]


def toy_images(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """28×28 uint8 images whose class decides where a bright bar sits, on a noisy background.

    Class k puts a 10×4 bar in row band k // 5 and column band k % 5, jittered by a pixel, so
    a network can learn the classes while a model that has not learned guesses 1 in 10.
    """
    labels = np.arange(count) % 10
    rng.shuffle(labels)
    images = rng.integers(0, 80, size=(count, 28, 28))
    for image, k in zip(images, labels):
        row = 2 + 13 * (k // 5) + rng.integers(-1, 2)
        column = 1 + 5 * (k % 5) + rng.integers(0, 2)
        image[row : row + 10, column : column + 4] = rng.integers(120, 256, size=(10, 4))
    return images.astype(np.uint8), labels


@pytest.fixture(scope="module")
def toy_mnist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of MNIST-format IDX files: 200 training and 50 test images of the toy classes."""
    folder = tmp_path_factory.mktemp("toy_mnist")
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 200), ("t10k", 50)):
        images, labels = toy_images(count, rng)
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels)
    return folder


# --- demos.mnist ----------------------------------------------------------------------------


def test_mnist_learns_the_toy_classes_and_prints_the_seeds_lines(toy_mnist, capsys) -> None:
    mnist.main(["--data", str(toy_mnist), "--epochs", "3", "--batch-size", "32"])
    out = capsys.readouterr().out
    assert "200 training and 50 test images" in out
    epochs = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert [line.split(":")[0] for line in epochs] == ["Epoch 1", "Epoch 2", "Epoch 3"]
    losses = [float(line.split("Loss=")[1].split(",")[0]) for line in epochs]
    accuracies = [float(line.split("Accuracy=")[1]) for line in epochs]
    assert losses[0] > losses[1] > losses[2] and losses[2] < losses[0] / 2
    assert accuracies[-1] >= 0.9  # chance is 0.1
    final = float(out.split("Final Test Accuracy: ")[1].split()[0])
    assert final == accuracies[-1]  # eval mode has no Dropout: evaluating again gives the same


def test_mnist_run_returns_what_it_printed(toy_mnist) -> None:
    data = mnist.load_data(str(toy_mnist))
    result = mnist.run(data, epochs=2, batch_size=32, seed=1)
    assert result["accuracy_before"] < 0.35
    assert result["final_accuracy"] >= 0.8
    assert result["losses"][1] < result["losses"][0]
    again = mnist.run(data, epochs=2, batch_size=32, seed=1)
    assert again["losses"] == result["losses"]  # a fixed seed repeats the run exactly


def test_mnist_limit_takes_the_first_images_of_each_set(toy_mnist) -> None:
    train_x, train_y, test_x, test_y = mnist.load_data(str(toy_mnist), limit=30)
    full = mnist.load_data(str(toy_mnist))
    assert (len(train_x), len(train_y), len(test_x), len(test_y)) == (30, 30, 30, 30)
    assert np.array_equal(train_x, full[0][:30]) and np.array_equal(test_y, full[3][:30])


def test_mnist_batches_are_shaped_as_torchvision_gives_them(toy_mnist) -> None:
    train_loader, test_loader = mnist.make_loaders(mnist.load_data(str(toy_mnist)), 64, seed=0)
    images, labels = next(iter(train_loader))
    assert images.shape == (64, 1, 28, 28) and str(images.dtype) == "float32"
    assert labels.shape == (64,) and str(labels.dtype) == "int64"
    assert len(train_loader) == 4 and len(test_loader) == 1  # 200 / 64 and 50 / 64, rounded up
    # ToTensor() then Normalize((0.1307,), (0.3081,)): a black pixel becomes -0.1307 / 0.3081.
    assert float(images.data.min()) == pytest.approx(-0.1307 / 0.3081, abs=1e-6)


def test_mnist_progress_bar_wraps_the_loader_or_falls_back(toy_mnist, monkeypatch) -> None:
    train_loader, _ = mnist.make_loaders(mnist.load_data(str(toy_mnist)), 64, seed=0)
    wrapped = mnist.progress(train_loader, "Epoch 1")
    assert type(wrapped).__name__ == "tqdm" and len(wrapped) == 4  # type: ignore[arg-type]
    assert sum(len(labels) for _, labels in wrapped) == 200
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    assert mnist.progress(train_loader, "Epoch 1") is train_loader


def test_mnist_model_is_the_seeds(toy_mnist) -> None:
    model = mnist.MNISTClassifier()
    assert sum(p.numel() for p in model.parameters()) == 235_146
    assert repr(model).splitlines()[1] == "  (flatten): Flatten(start_dim=1, end_dim=-1)"
    assert "(2): Dropout(p=0.2, inplace=False)" in repr(model)


def test_mnist_missing_files_exit_2_with_the_loaders_message(tmp_path, capsys) -> None:
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"")
    with pytest.raises(SystemExit) as stopped:
        mnist.main(["--data", str(tmp_path)])
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "MNIST files not found" in captured.err
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert f"missing: {name}" in captured.err
    assert "never downloads" in captured.err


def test_mnist_missing_files_from_the_command_line_show_no_traceback(tmp_path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "demos.mnist", "--data", str(tmp_path / "nowhere")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 2
    assert "Traceback" not in finished.stderr
    assert "does not exist" in finished.stderr and "load_mnist needs four files" in finished.stderr


def test_mnist_damaged_file_exits_2_naming_it(toy_mnist, tmp_path, capsys) -> None:
    for path in toy_mnist.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x32")
    with pytest.raises(SystemExit) as stopped:
        mnist.main(["--data", str(tmp_path)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "t10k-labels-idx1-ubyte: truncated" in err


def test_mnist_graph_of_one_small_batch(toy_mnist, tmp_path, capsys) -> None:
    path = tmp_path / "mnist.dot"
    mnist.main(["--data", str(toy_mnist), "--epochs", "1", "--graph", str(path)])
    source = path.read_text()
    # Flatten of an input that needs no grad is not recorded: the graph starts at (4, 784).
    assert "[4×784] float32" in source and "[4] int64" in source
    assert "[10×128] float32" in source and "CE" in source
    assert f"graph written to {path}" in capsys.readouterr().out


# --- demos.modern_network ---------------------------------------------------------------


MODERN_PRINTOUT = """\
ModernNetwork(
  (layers): Sequential(
    (0): Linear(in_features=784, out_features=256, bias=True)
    (1): ReLU()
    (2): Dropout(p=0.2, inplace=False)
    (3): Linear(in_features=256, out_features=128, bias=True)
    (4): ReLU()
    (5): Dropout(p=0.2, inplace=False)
    (6): Linear(in_features=128, out_features=10, bias=True)
  )
)"""


def test_modern_network_printout_count_dropout_and_learning() -> None:
    result = modern_network.run(epochs=3)
    assert result["printout"] == MODERN_PRINTOUT
    assert result["parameter_count"] == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    assert result["parameter_count"] == 235_146
    dropout = result["dropout"]
    assert dropout["train_gap"] > 0.0 and dropout["eval_gap"] == 0.0
    assert 0 < dropout["zeroed"] < dropout["positive"]
    assert dropout["scale"] == pytest.approx(1.25)
    assert result["accuracy_before"] < 0.3
    assert result["final_accuracy"] >= 0.9  # 360 test digits, chance 0.1


@needs_torch
def test_modern_network_prints_as_pytorch_prints_it() -> None:
    import torch

    class ModernNetwork(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(784, 256),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.2),
                torch.nn.Linear(256, 128),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.2),
                torch.nn.Linear(128, 10),
            )

    theirs = ModernNetwork()
    ours = modern_network.ModernNetwork()
    assert repr(ours) == repr(theirs)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    assert [(n, tuple(p.shape)) for n, p in theirs.named_parameters()] == [
        (n, p.shape) for n, p in ours.named_parameters()
    ]
    assert repr(mnist.MNISTClassifier()).replace("MNISTClassifier", "") == repr(
        _torch_mnist_classifier()
    ).replace("MNISTClassifier", "")


def _torch_mnist_classifier():
    import torch

    class MNISTClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = torch.nn.Flatten()
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(28 * 28, 256),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.2),
                torch.nn.Linear(256, 128),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.2),
                torch.nn.Linear(128, 10),
            )

    return MNISTClassifier()


def test_modern_network_digits_look_like_mnist() -> None:
    train_x, train_y, test_x, test_y = modern_network.digits_as_mnist()
    assert train_x.shape == (1437, 28, 28) and test_x.shape == (360, 28, 28)
    assert train_x.dtype == np.uint8 and int(train_x.max()) == 255
    assert not train_x[:, :2].any() and not train_x[:, :, -2:].any()  # the blank frame
    block = train_x[0, 2:5, 2:5]
    assert (block == block[0, 0]).all()  # one 8×8 pixel became a 3×3 block
    assert sorted(set(train_y.tolist())) == list(range(10))


def test_modern_network_main_prints_what_it_computes(toy_mnist, tmp_path, capsys) -> None:
    path = tmp_path / "modern.dot"
    modern_network.main(["--data", str(toy_mnist), "--epochs", "2", "--graph", str(path)])
    out = capsys.readouterr().out
    assert MODERN_PRINTOUT in out
    assert "  total                          235,146" in out
    assert "eval() mode:  the two outputs differ by 0.0;" in out
    assert "Training on MNIST from" in out and "200 training and 50 test images" in out
    assert out.count("  Epoch ") == 2
    final = float(out.split("Test accuracy ")[1].split()[0])
    assert final >= 0.8
    source = path.read_text()
    assert "<B>images</B>" in source and "[4×784] float32" in source


def test_modern_network_missing_mnist_exits_2(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        modern_network.main(["--data", str(tmp_path)])
    assert stopped.value.code == 2
    assert "MNIST files not found" in capsys.readouterr().err


# --- demos.architectures ----------------------------------------------------------------


def test_architectures_shapes_and_parameter_counts() -> None:
    sizes = {a.name: a.sizes for a in architectures.ARCHITECTURES}
    assert sizes["funnel"] == (64, 128, 32, 10) and sizes["same"] == (64, 128, 128, 10)
    assert sizes["hourglass"] == (64, 16, 16, 10)
    assert architectures.AUTOENCODER.sizes == (64, 16, 16, 64)  # ends where it starts
    counts = {
        name: architectures.parameter_count(architectures.build(s, seed=0))
        for name, s in sizes.items()
    }
    assert counts["funnel"] == 64 * 128 + 128 + 128 * 32 + 32 + 32 * 10 + 10 == 12_778
    assert counts["same"] == 64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10 == 26_122
    assert counts["hourglass"] == 64 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10 == 1_482


def test_architectures_compare_trains_each_from_every_seed() -> None:
    with architectures.one_blas_thread():
        rows = architectures.compare(epochs=8, seeds=2)
    assert [row.architecture.name for row in rows] == [a.name for a in architectures.ARCHITECTURES]
    by_name = {row.architecture.name: row for row in rows}
    for row in rows:
        assert len(row.accuracies) == len(row.seconds) == 2
        assert row.mean_accuracy == pytest.approx(sum(row.accuracies) / 2)
    # The 360 test digits: chance is 0.1; the wide networks reach the seed's MLP's range.
    assert by_name["funnel"].mean_accuracy >= 0.95 and by_name["same"].mean_accuracy >= 0.95
    assert by_name["hourglass"].mean_accuracy >= 0.9
    # Squeezing through 8 units costs accuracy against 16 (several digits, not one).
    assert by_name["hourglass, 8 wide"].mean_accuracy < by_name["hourglass"].mean_accuracy - 0.01
    table = architectures.table(rows)
    assert "funnel             64 → 128 → 32 → 10       12,778   " in table
    assert "same               64 → 128 → 128 → 10      26,122   " in table
    assert f"{by_name['same'].mean_accuracy:.2%} (" in table


def test_architectures_seeds_repeat_and_differ() -> None:
    funnel = architectures.ARCHITECTURES[:1]
    first, again = (architectures.compare(funnel, epochs=3, seeds=2)[0] for _ in range(2))
    assert first.accuracies == again.accuracies
    weights = [architectures.build((64, 10), seed).state_dict()["0.weight"] for seed in (0, 1)]
    assert not np.array_equal(*weights)


def test_architectures_autoencoder_redraws_digits_better_than_the_average_digit() -> None:
    result = architectures.train_autoencoder(epochs=8)
    assert result.reconstructed.shape == result.originals.shape == (360, 64)
    assert result.test_mse < result.mean_image_mse / 2


def test_architectures_findings_follow_the_numbers() -> None:
    def row(name: str, sizes: tuple[int, ...], parameters: int, accuracies: list[float]):
        architecture = architectures.Architecture(name, sizes, "")
        return architectures.Row(architecture, parameters, accuracies, [0.1] * len(accuracies))

    rows = [
        row("funnel", (64, 128, 32, 10), 12_778, [0.97, 0.96]),
        row("same", (64, 128, 128, 10), 26_122, [0.975, 0.975]),
        row("hourglass", (64, 16, 16, 10), 1_482, [0.95, 0.95]),
    ]
    lines = architectures.findings(rows, test_size=360)
    assert "Best mean: same (97.50%)." in lines
    assert "same: 2.0× the funnel's parameters, +1.00 points of mean accuracy." in lines
    assert "hourglass (16-unit waist, 1,482 parameters): -2.50 points against the best." in lines


def test_architectures_main_prints_the_table_and_the_autoencoder(tmp_path, capsys) -> None:
    path = tmp_path / "architectures.dot"
    architectures.main(["--epochs", "3", "--seeds", "1", "--graph", str(path)])
    out = capsys.readouterr().out
    for name in ("funnel", "same", "hourglass", "hourglass, 8 wide"):
        assert any(line.startswith(f"{name} ") for line in out.splitlines())
    assert "architecture       layers               parameters" in out
    assert "seed 784 → 64 → 64 → 784    here 64 → 16 → 16 → 10" in out
    assert "64 → 16 → 16 → 64, trained to give back its own input" in out
    assert out.count("redrawn") == 6 and "seeds 0..0" in out
    source = path.read_text()
    assert "<B>digits</B>" in source and "[4×16] float32" in source


# --- demos.graduate -------------------------------------------------------------------------


@needs_torch
def test_graduate_prints_one_curve_across_the_move(capsys) -> None:
    graduate.main(["--epochs", "2", "--torch-epochs", "2"])
    out = capsys.readouterr().out
    epochs = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0].split()[1:] for line in epochs] == [
        ["1", "tracegrad"],
        ["2", "tracegrad"],
        ["3", "PyTorch"],
        ["4", "PyTorch"],
    ]
    losses = [float(line.split("loss ")[1].split(",")[0]) for line in epochs]
    assert losses == sorted(losses, reverse=True)  # one curve, falling on through the move
    assert out.index("epoch  2 tracegrad") < out.index("--- the move") < out.index("epoch  3")
    in_torch, in_tracegrad = (
        out.split("batch loss ")[1].split(" in tracegrad")[0].split(" in PyTorch, ")
    )
    assert in_torch == in_tracegrad
    difference = float(out.split("max difference ")[1].split(",")[0])
    moved = float(out.split("moved them by up to ")[1].split(";")[0])
    without_state = float(out.split("would have ended ")[1].split()[0])
    assert difference < 1e-6 < 1e-4 < moved  # rounding, next to a real step
    assert without_state > 100 * difference  # the optimizer's state is what makes it the same
    assert "torchrun" in out


@needs_torch
def test_graduate_run_returns_what_it_printed_and_repeats() -> None:
    first = graduate.run(epochs=1, torch_epochs=1, seed=0)
    curve, handover = first["curve"], first["curve"].handover
    assert [(number, engine) for number, engine, _, _ in curve.epochs] == [
        (1, "tracegrad"),
        (2, "PyTorch"),
    ]
    assert handover is not None
    # float32 rounding, relative to the weights' size (the largest is below 1)
    assert handover.max_difference < 1e-6
    assert abs(handover.loss_torch - handover.loss_tracegrad) < 1e-6 * handover.loss_torch
    assert curve.epochs[1][3] >= 0.85  # 360 test digits, chance 0.1
    again = graduate.run(epochs=1, torch_epochs=1, seed=0)["curve"]
    assert again.epochs == curve.epochs  # a fixed seed repeats the run, PyTorch's half too


def test_graduate_without_torch_says_how_to_install_it_and_exits_1() -> None:
    script = (
        "import sys, runpy\n"
        "sys.modules['torch'] = None  # import torch now fails, as where it is not installed\n"
        "runpy.run_module('demos.graduate', run_name='__main__')\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 1  # as the demos exit when Graphviz's dot is missing
    assert finished.stdout == "" and "Traceback" not in finished.stderr
    assert "python -m demos.graduate needs PyTorch, which is not installed: pip install torch" in (
        finished.stderr
    )


# --- demos.cnn ------------------------------------------------------------------------------


def test_cnn_learns_the_toy_classes_and_prints_both_accuracies_and_an_entry(
    toy_mnist, capsys
) -> None:
    cnn.main(["--data", str(toy_mnist), "--epochs", "6", "--batch-size", "16", "--mlp-epochs", "2"])
    out = capsys.readouterr().out
    epochs = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert [line.split(":")[0] for line in epochs] == [f"Epoch {n}" for n in range(1, 7)]
    cnn_accuracy = float(out.split("Test accuracy, CNN: ")[1].split()[0])
    assert cnn_accuracy >= 0.5  # 50 toy test digits, chance 0.1
    assert "Test accuracy, MLP: " in out
    entry = out.split("on the first test image\n")[1].split("\n", 1)[1]
    assert entry.startswith("y[0,3,5,5] = Σ conv1.weight[3,c,i,j] · x[0,c,9+i,9+j] + conv1.bias[3]")
    assert "goes back to 9 entries of x and 9 of conv1.weight and 1 of conv1.bias:" in entry


def test_cnn_run_repeats_and_its_entry_is_the_first_convolutions_output(toy_mnist) -> None:
    data = mnist.load_data(str(toy_mnist))
    result = cnn.run(data, epochs=1, batch_size=32, seed=3)
    again = cnn.run(data, epochs=1, batch_size=32, seed=3)
    assert result["losses"] == again["losses"] and result["accuracies"] == again["accuracies"]
    model = result["model"]
    text = cnn.explain_first_convolution(model, data, (7, 0, 0))
    # The entry's value is the first convolution's output there, on the normalized first image.
    _, test_loader = mnist.make_loaders(data, 1, 0)
    image, _ = next(iter(test_loader))
    value = float(model.conv1(image).data[0, 7, 0, 0])
    written = text.splitlines()[3]
    assert written.startswith("  = ") and float(written[4:]) == pytest.approx(value, rel=1e-5)
    # The corner window: its top row and left column sit in the padding.
    assert "(entries in the padding are 0)" in text.splitlines()[0]
    assert "goes back to 4 entries of x" in text


def test_cnn_refuses_an_entry_outside_the_first_convolution(toy_mnist) -> None:
    with pytest.raises(SystemExit, match="--entry: the first convolution's output is 16×14×14"):
        cnn.main(["--data", str(toy_mnist), "--entry", "16,0,0"])
    with pytest.raises(SystemExit, match="--entry: expected three whole numbers"):
        cnn.main(["--data", str(toy_mnist), "--entry", "a,b"])
