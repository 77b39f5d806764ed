"""SlotNet: the per-slot occupancy CNN (about 72k parameters, about 5.6M multiply-adds at 48x48)."""
import torch
from torch import nn


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SlotNet(nn.Module):
    """Three stages of two 3x3 convolutions, global average pooling, one logit.

    Small on purpose: an edge box runs it on every slot of every camera. The stride-2 stem halves
    the cost; global pooling makes the decision independent of where in the patch the car sits,
    which matters because calibrations and cameras place cars differently in the patch.
    """

    def __init__(self, width=16, dropout=0.2):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            conv_bn(3, w, stride=2),
            conv_bn(w, w),
            nn.MaxPool2d(2),
            conv_bn(w, 2 * w),
            conv_bn(2 * w, 2 * w),
            nn.MaxPool2d(2),
            conv_bn(2 * w, 4 * w),
            conv_bn(4 * w, 4 * w),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * w, 1))

    def forward(self, x):
        return self.head(self.features(x)).squeeze(1)


class Exported(nn.Module):
    """What goes into the ONNX file: P(occupied) of shape [N, 1], so the runtime needs no activation."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.sigmoid(self.net(x)).unsqueeze(1)
