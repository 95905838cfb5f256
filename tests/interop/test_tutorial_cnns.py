"""PyTorch's two CNN lessons, transcribed and run with only their imports changed: the 60-minute
blitz's LeNet ("Neural Networks") and "What is torch.nn really?" from ``fit`` and
``get_data`` through its last stage (the CNN, ``nn.Sequential`` with a ``Lambda`` layer, the
wrapped loader, ``AdaptiveAvgPool2d``, the device). The data are made here (the lessons
download MNIST). Where PyTorch is installed the same programs run on it, and the numbers of
the two agree when both start from the same weights and read the same batches.

The blitz's three ``loss.grad_fn`` prints are left out: ``grad_fn`` is issue 22's.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH

import autograd

OUR_IMPORTS = {
    "import torch\n": "import autograd as torch\n",
    "import torch.nn as nn\n": "import nn\n",
    "from torch import nn\n": "import nn\n",
    "import torch.nn.functional as F\n": "import nn.functional as F\n",
    "import torch.optim as optim\n": "from nn import optim\n",
    "from torch import optim\n": "from nn import optim\n",
    "from torch.utils.data import DataLoader\n": "from nn import DataLoader\n",
    "from torch.utils.data import TensorDataset\n": "from nn import TensorDataset\n",
}

# The blitz's "Neural Networks", as published (its comments shortened).
BLITZ = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output


net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight

input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)

net.zero_grad()
out.backward(torch.randn(1, 10))

output = net(input)
target = torch.randn(10)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)

net.zero_grad()     # zeroes the gradient buffers of all parameters

print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)

loss.backward()

print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)

import torch.optim as optim

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
"""

# "What is torch.nn really?": the data as the lesson holds them, then everything from "Create
# fit() and get_data()" to the end, as published (comments left out).
NN_TUTORIAL = """\
import torch
import math
import torch.nn.functional as F
from torch import nn
from torch import optim
from torch.utils.data import TensorDataset
from torch.utils.data import DataLoader

x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
bs = 64
epochs = 2
loss_func = F.cross_entropy
train_ds = TensorDataset(x_train, y_train)
valid_ds = TensorDataset(x_valid, y_valid)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)

import numpy as np

def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

        print(epoch, val_loss)


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=True),
        DataLoader(valid_ds, batch_size=bs * 2),
    )

train_dl, valid_dl = get_data(train_ds, valid_ds, bs)

class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))

lr = 0.1

model = Mnist_CNN()
opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(epochs, model, loss_func, opt, train_dl, valid_dl)

class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x):
    return x.view(-1, 1, 28, 28)

model = nn.Sequential(
    Lambda(preprocess),
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AvgPool2d(4),
    Lambda(lambda x: x.view(x.size(0), -1)),
)

opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(epochs, model, loss_func, opt, train_dl, valid_dl)

def preprocess(x, y):
    return x.view(-1, 1, 28, 28), y


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        batches = iter(self.dl)
        for b in batches:
            yield (self.func(*b))

train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
train_dl = WrappedDataLoader(train_dl, preprocess)
valid_dl = WrappedDataLoader(valid_dl, preprocess)

model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)

opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(epochs, model, loss_func, opt, train_dl, valid_dl)

print(torch.cuda.is_available())

dev = torch.device(
    "cuda") if torch.cuda.is_available() else torch.device("cpu")


def preprocess(x, y):
    return x.view(-1, 1, 28, 28).to(dev), y.to(dev)


train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
train_dl = WrappedDataLoader(train_dl, preprocess)
valid_dl = WrappedDataLoader(valid_dl, preprocess)

model.to(dev)
opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(epochs, model, loss_func, opt, train_dl, valid_dl)
"""


def ours(program: str) -> str:
    for theirs, mine in OUR_IMPORTS.items():
        program = program.replace(theirs, mine)
    return program


def digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Flattened 28×28 "images" in [0, 1] whose class shows in them (a bright block)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, count)
    images = rng.uniform(0.0, 0.3, (count, 28, 28)).astype(np.float32)
    for image, label in zip(images, labels):
        row, col = divmod(int(label), 5)
        image[4 + 10 * row : 12 + 10 * row, 2 + 5 * col : 6 + 5 * col] += 0.7
    return images.reshape(count, 784), labels.astype(np.int64)


def loaders_give_tensors() -> bool:
    """Whether a DataLoader over Tensors yields Tensors, as the lesson's code needs (its
    ``xb.view(-1, 1, 28, 28)``); issue 22 part A makes them so."""
    import nn

    batch = next(iter(nn.DataLoader(nn.TensorDataset(autograd.zeros(2, 1)), batch_size=2)))
    return isinstance(batch[0], autograd.Tensor)


needs_tensor_batches = pytest.mark.skipif(
    not loaders_give_tensors(),
    reason="DataLoader yields numpy arrays until issue 22 part A (Tensor batches) lands",
)


def run(program: str, namespace: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    namespace = {} if namespace is None else namespace
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(program, "<lesson>", "exec"), namespace)
    return namespace, printed.getvalue()


def test_the_blitz_lenet_runs_with_only_its_imports_changed() -> None:
    autograd.manual_seed(0)
    namespace, printed = run(ours(BLITZ))
    net = namespace["net"]
    assert printed.splitlines()[:2] == [
        "Net(",
        "  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))",
    ]
    assert "\n10\n(6, 1, 5, 5)\n" in printed
    assert net.conv1.bias.grad is not None and net.conv1.bias.grad.shape == (6,)
    if HAS_TORCH:
        import torch

        torch.manual_seed(0)
        theirs, their_printed = run(BLITZ)
        # The same printout of the network, line for line.
        assert printed.split("\n10\n")[0] == their_printed.split("\n10\n")[0]


@pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
def test_the_blitz_lenet_computes_pytorchs_numbers() -> None:
    import torch

    import nn

    autograd.manual_seed(1)
    namespace, _ = run(ours(BLITZ).split("net = Net()")[0])  # the class alone
    net = namespace["Net"]()
    torch_net = run(BLITZ.split("net = Net()")[0])[0]["Net"]()
    torch_net.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = np.random.default_rng(2).normal(size=(4, 1, 32, 32)).astype(np.float32)
    target = np.random.default_rng(3).normal(size=(4, 10)).astype(np.float32)
    optimizer = nn.optim.SGD(net.parameters(), lr=0.01)
    their_optimizer = torch.optim.SGD(torch_net.parameters(), lr=0.01)
    for _ in range(3):
        optimizer.zero_grad()
        their_optimizer.zero_grad()
        loss = nn.MSELoss()(net(autograd.tensor(x)), autograd.tensor(target))
        their_loss = torch.nn.MSELoss()(torch_net(torch.from_numpy(x)), torch.from_numpy(target))
        assert abs(loss.item() - their_loss.item()) < 1e-5
        loss.backward()
        their_loss.backward()
        optimizer.step()
        their_optimizer.step()
    for name, value in torch_net.state_dict().items():
        np.testing.assert_allclose(net.state_dict()[name], value.numpy(), rtol=1e-4, atol=1e-6)


@needs_tensor_batches
def test_what_is_torch_nn_really_runs_its_cnn_stages_with_only_its_imports_changed() -> None:
    x_train, y_train = digits(320, 0)
    x_valid, y_valid = digits(128, 1)
    autograd.manual_seed(0)
    data = {"x_train": x_train, "y_train": y_train, "x_valid": x_valid, "y_valid": y_valid}
    namespace, printed = run(ours(NN_TUTORIAL), dict(data))
    losses = [float(line.split()[1]) for line in printed.splitlines() if line[:2] in ("0 ", "1 ")]
    assert len(losses) == 8 and all(np.isfinite(losses))  # four fits of two epochs
    assert "False" in printed.splitlines()  # torch.cuda.is_available()
    model = namespace["model"]
    assert type(model).__name__ == "Sequential" and len(model) == 8
    assert [type(m).__name__ for m in model][-2:] == ["AdaptiveAvgPool2d", "Lambda"]
    with autograd.no_grad():
        scores = model(autograd.tensor(x_valid).view(-1, 1, 28, 28))
    assert scores.shape == (128, 10)  # (a few steps on made-up digits: no accuracy to claim)


@needs_tensor_batches
@pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
def test_what_is_torch_nn_really_computes_pytorchs_numbers() -> None:
    """The lesson's own fit and models on both sides, from the same weights and batches."""
    import torch

    x_train, y_train = digits(192, 0)
    x_valid, y_valid = digits(128, 1)
    setup = NN_TUTORIAL.split("train_dl, valid_dl = get_data(train_ds, valid_ds, bs)\n")[0]
    data = {"x_train": x_train, "y_train": y_train, "x_valid": x_valid, "y_valid": y_valid}
    mine, _ = run(ours(setup), dict(data))
    theirs, _ = run(setup, dict(data))
    cnn_source = NN_TUTORIAL.split("class Mnist_CNN")[1].split("lr = 0.1")[0]
    run(ours("from torch import nn\nclass Mnist_CNN" + cnn_source), mine)
    run("from torch import nn\nclass Mnist_CNN" + cnn_source, theirs)
    autograd.manual_seed(4)
    model = mine["Mnist_CNN"]()
    twin = theirs["Mnist_CNN"]()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    loaders = [
        (ns["DataLoader"](ns["train_ds"], batch_size=64), ns["DataLoader"](ns["valid_ds"], 128))
        for ns in (mine, theirs)
    ]
    printed = []
    for ns, net, (train_dl, valid_dl) in zip((mine, theirs), (model, twin), loaders):
        opt = ns["optim"].SGD(net.parameters(), lr=0.1, momentum=0.9)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            ns["fit"](2, net, ns["loss_func"], opt, train_dl, valid_dl)
        printed.append([float(line.split()[1]) for line in out.getvalue().splitlines()])
    np.testing.assert_allclose(printed[0], printed[1], rtol=1e-4)
    for name, value in twin.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[name], value.numpy(), rtol=1e-3, atol=1e-5)
