"""The zoo's text reader in PyTorch, for `faultline bench --part zoo`.

The same network as Faultline's reader (FaultlineZoo/Reading/ZooReader.swift): 3 x 3
convolutions with ReLU at full resolution, max-pooled by 2 after every layer but the last; a
1 x 1 convolution scoring every feature pixel as nothing, an object's label or a sign; and,
at each place to read, the features of a window centred there (zeros beyond the edge)
through a hidden layer to the letter at each of six positions, whose log-probabilities
summed over a word's letters score every word (with --letters 0, one class per word).

Training step: the centre cross-entropy on every feature pixel plus the letter cross-entropy
at each marked word, backward, AdamW. Inference batch: the feature map, every pixel's centre
probabilities and the word distributions at --places places per image, without gradients.
Random inputs of the same shapes; timed after warm-up with the same threads and batch size.

Prints one JSON object: parameters, milliseconds per training step and per inference batch.

usage: reader_torch_peer.py --batch 8 --image 256 --channels 16,32,64,64 --width 256
       --window-rows 6 --window-columns 16 --words 600 --words-per-image 4 --places 12
       --letters 1 --steps 20 --threads 2
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_timing import time_and_report

SPELLING_LENGTH = 6
LETTER_CLASSES = 27
TEXT_CLASSES = 3


class Reader(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.convolutions = nn.ModuleList()
        channels = 3
        for out in a.channels:
            self.convolutions.append(nn.Conv2d(channels, out, 3, padding=1))
            channels = out
        self.centre = nn.Conv2d(channels, TEXT_CLASSES, 1)
        self.rows, self.columns = a.window_rows, a.window_columns
        self.window = nn.Linear(channels * self.rows * self.columns, a.width)
        self.letters = a.letters
        outputs = SPELLING_LENGTH * LETTER_CLASSES if a.letters else a.words
        self.word = nn.Linear(a.width, outputs)
        # Every word spelled by six letter classes: one 1 per position.
        generator = torch.Generator().manual_seed(1)
        letters = torch.randint(0, LETTER_CLASSES, (a.words, SPELLING_LENGTH), generator=generator)
        spelling = torch.zeros(SPELLING_LENGTH * LETTER_CLASSES, a.words)
        for word in range(a.words):
            for position in range(SPELLING_LENGTH):
                spelling[position * LETTER_CLASSES + letters[word, position], word] = 1
        self.register_buffer("spelling", spelling)
        self.register_buffer("spelled", letters)

    def features(self, images):
        x = images
        for index, convolution in enumerate(self.convolutions):
            x = F.relu(convolution(x))
            if index < len(self.convolutions) - 1:
                x = F.max_pool2d(x, 2)
        return x

    def centre_logits(self, features):
        b = features.shape[0]
        return self.centre(features).reshape(b, TEXT_CLASSES, -1).transpose(1, 2).reshape(-1, TEXT_CLASSES)

    def head(self, features, places):
        padded = F.pad(features, (self.columns // 2, self.columns // 2, self.rows // 2, self.rows // 2))
        windows = torch.stack([padded[image, :, row:row + self.rows, column:column + self.columns]
                               for image, row, column in places])
        return self.word(F.relu(self.window(windows.reshape(len(places), -1))))

    def word_logits(self, features, places):
        head = self.head(features, places)
        if not self.letters:
            return head
        log_probabilities = (head.reshape(len(places), SPELLING_LENGTH, LETTER_CLASSES).softmax(-1) + 1e-6).log()
        return log_probabilities.reshape(len(places), -1) @ self.spelling


def main():
    p = argparse.ArgumentParser()
    for name, default in [("batch", 8), ("image", 256), ("width", 256), ("window-rows", 6), ("window-columns", 16),
                          ("words", 600), ("words-per-image", 4), ("places", 12), ("letters", 1), ("steps", 20),
                          ("threads", 2)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--channels", default="16,32,64,64")
    a = p.parse_args()
    a.channels = [int(x) for x in a.channels.split(",")]
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Reader(a)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    images = torch.rand(a.batch, 3, a.image, a.image) * 2 - 1
    side = a.image // (1 << (len(a.channels) - 1))
    centres = torch.zeros(a.batch * side * side, dtype=torch.long)
    marked = [(image, int(torch.randint(0, side, ())), int(torch.randint(0, side, ())))
              for image in range(a.batch) for _ in range(a.words_per_image)]
    for image, row, column in marked:
        centres[(image * side + row) * side + column] = int(torch.randint(1, TEXT_CLASSES, ()))
    words = torch.randint(0, a.words, (len(marked),))
    places = [(image, int(torch.randint(0, side, ())), int(torch.randint(0, side, ())))
              for image in range(a.batch) for _ in range(a.places)]

    def step():
        optimiser.zero_grad(set_to_none=True)
        features = model.features(images)
        loss = F.cross_entropy(model.centre_logits(features), centres)
        head = model.head(features, marked)
        if a.letters:
            loss = loss + F.cross_entropy(head.reshape(-1, LETTER_CLASSES), model.spelled[words].reshape(-1))
        else:
            loss = loss + F.cross_entropy(head, words)
        loss.backward()
        optimiser.step()

    def infer():
        with torch.no_grad():
            features = model.features(images)
            model.centre_logits(features).softmax(-1)
            model.word_logits(features, places).softmax(-1)

    time_and_report(model, step, infer, a.steps)


if __name__ == "__main__":
    main()
