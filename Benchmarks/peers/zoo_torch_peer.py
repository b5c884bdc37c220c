"""The zoo architecture in PyTorch, for `faultline bench --part zoo`.

The same network as Faultline's zoo model (FaultlineZoo/Model/ZooNetwork.swift): a CNN
(with four or more layers, the first keeps the resolution unless --downsample-first, the
next three have stride 2, the rest keep the grid), its feature map projected into image
tokens; the question's tokens through one transformer block, mean-pooled into a vector;
fusion (the question vector scales and shifts every image token's features, FiLM; a
per-token layer, or a hidden layer the question modulates; pre-norm transformer blocks); an answer head over the
tokens' mean and max, the question vector and, with readout hops, what question-led attention read from the tokens,
with match heads the best and summed question-token match scores, with --attribute-summary the
cell heads' tables (expected counts and position sums per class; per shape, counts per colour, size and
texture), scaled by the question, and the tables read through two question heads that name the asked shape and colour
(taught by their own loss), with --object-pairs the two objects the question names (three more question heads
for their sizes and the other object; the cells that fit each, their positions, colours and sizes compared, every
shape's position relative to the subject) scaled by the question, with --cell-words N (the word answers' count) per
cell the word written there and whether a sign is, and the named object's word and the sign's added to the word
answers' scores as the question gates them (with --spelled-words from per-position letters), and with --text-channels a second CNN (its last four layers halving the
image) whose projected features are added to the image tokens;
and a CLIP-style head (pooled image tokens; caption tokens through one more transformer
block) trained with a symmetric InfoNCE loss next to the answer loss and the auxiliary
per-cell shape and colour (and, with --cell-size-texture, size and texture) loss. Random inputs of the
same shapes; timed after warm-up with the same threads and batch size.

Prints one JSON object: parameters, milliseconds per training step (forward, backward,
AdamW) and per inference batch (forward of the answer head, no gradients).

usage: zoo_torch_peer.py --batch 32 --image 64 --channels 16,32,64,128 --width 128 --heads 4
       --layers 2 --tokens 24 --caption-tokens 16 --vocabulary 400 --answers 500
       --embedding 64 --steps 20 --threads 2 --readout-hops 2 --fusion-hidden 512
       --downsample-first 1 --match-heads 16 --attribute-summary 1 --object-pairs 1
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_timing import time_and_report


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, padding):
        h = self.norm1(x)
        x = x + self.attention(h, h, h, key_padding_mask=padding, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


def grid_side(a):
    """The side of the image-token grid: each stride-2 convolution halves the image."""
    halvings = min(len(a.channels), 3) + (1 if a.downsample_first and len(a.channels) > 3 else 0)
    return a.image // 2 ** halvings


MATCH_HEAD_WIDTH = 16


class ZooNet(nn.Module):
    def __init__(self, a):
        super().__init__()
        c = a.channels
        strides = [2] * len(c) if len(c) <= 3 else [2 if a.downsample_first else 1, 2, 2, 2] + [1] * (len(c) - 4)
        self.conv = nn.ModuleList([nn.Conv2d(i, o, 3, s, 1) for i, o, s in zip([3] + c[:-1], c, strides)])
        self.side = grid_side(a)
        side = self.side
        self.project = nn.Linear(c[-1], a.width)
        self.image_position = nn.Parameter(torch.randn(side * side, a.width) * 0.02)
        self.cell_shape = nn.Linear(a.width, 8)
        self.cell_colour = nn.Linear(a.width, 8)
        self.cell_size = nn.Linear(a.width, 3) if a.cell_size_texture else None
        self.cell_texture = nn.Linear(a.width, 4) if a.cell_size_texture else None
        self.token = nn.Embedding(a.vocabulary, a.width)
        self.token_position = nn.Parameter(torch.randn(a.tokens, a.width) * 0.02)
        self.question_block = Block(a.width, a.heads)
        self.question_norm = nn.LayerNorm(a.width)
        self.image_norm = nn.LayerNorm(a.width)
        modulated = a.fusion_hidden or a.width
        self.expand = nn.Linear(a.width, modulated) if a.fusion_hidden else None
        self.scale = nn.Linear(a.width, modulated)
        self.shift = nn.Linear(a.width, modulated)
        self.mix = nn.Linear(modulated, a.width)
        self.blocks = nn.ModuleList([Block(a.width, a.heads) for _ in range(a.layers)])
        self.norm = nn.LayerNorm(a.width)
        self.readout_norms = nn.ModuleList([nn.LayerNorm(a.width) for _ in range(a.readout_hops)])
        self.readouts = nn.ModuleList([nn.MultiheadAttention(a.width, a.heads, batch_first=True)
                                       for _ in range(a.readout_hops)])
        self.hidden = nn.Linear((4 if a.readout_hops else 3) * a.width, a.width)
        self.answer = nn.Linear(a.width, a.answers)
        self.image_embedding = nn.Linear(a.width, a.embedding)
        self.caption_position = nn.Parameter(torch.randn(a.caption_tokens, a.width) * 0.02)
        self.caption_block = Block(a.width, a.heads)
        self.caption_norm = nn.LayerNorm(a.width)
        self.caption_embedding = nn.Linear(a.width, a.embedding)
        self.match_heads = a.match_heads
        if a.match_heads:
            self.match_query = nn.Linear(a.width, a.match_heads * MATCH_HEAD_WIDTH)
            self.match_key = nn.Linear(a.width, a.match_heads * MATCH_HEAD_WIDTH)
            self.match_project = nn.Linear(2 * a.match_heads, a.width)
        self.attribute_summary = a.attribute_summary
        if a.attribute_summary:
            self.cell_object = nn.Linear(a.width, 2)
            entries = 3 * (8 + 8 + 3 + 4) + 8 * (8 + 3 + 4)
            self.attribute_gate = nn.Linear(a.width, entries)
            self.attribute_project = nn.Linear(entries, a.width)
            self.question_shape = nn.Linear(a.width, 9)
            self.question_colour = nn.Linear(a.width, 9)
            self.asked_project = nn.Linear(3 + 8 + 3 + 4 + 3 + 8 + 1, a.width)
            centres = [((i % side + 0.5) / side * 2 - 1, (i // side + 0.5) / side * 2 - 1) for i in range(side * side)]
            self.register_buffer("place", torch.tensor([[1.0, x, y] for x, y in centres]))
        self.object_pairs = a.object_pairs
        if a.object_pairs:
            self.subject_size = nn.Linear(a.width, 4)
            self.other_shape = nn.Linear(a.width, 9)
            self.other_colour = nn.Linear(a.width, 9)
            self.other_size = nn.Linear(a.width, 4)
            pair_width = 2 * (3 + 8 + 3) + 2 + 2 + 1 + 9 + 16
            self.pair_gate = nn.Linear(a.width, pair_width)
            self.pair_project = nn.Linear(pair_width, a.width)
        self.cell_words = a.cell_words
        self.spelled = a.spelled_words
        if a.cell_words:
            # With --spelled-words, six positions of 27 letter classes and a one-hot spelling
            # matrix (random words, timing only).
            self.cell_word = nn.Linear(a.width, 6 * 27 if a.spelled_words else a.cell_words)
            if a.spelled_words:
                spelling = torch.zeros(6 * 27, a.cell_words)
                letters = torch.randint(0, 27, (a.cell_words, 6))
                for position in range(6):
                    spelling[position * 27 + letters[:, position], torch.arange(a.cell_words)] = 1
                self.register_buffer("spelling", spelling)
            self.cell_sign = nn.Linear(a.width, 2)
            self.words_gate = nn.Linear(a.width, 2)
            self.answer_count = a.answers
        t = a.text_channels
        text_strides = [1] * (len(t) - 4) + [2] * 4
        self.text_conv = nn.ModuleList([nn.Conv2d(i, o, 3, s, 1) for i, o, s in zip([3] + t[:-1], t, text_strides)])
        self.text_project = nn.Linear(t[-1], a.width) if t else None

    def image_tokens(self, images):
        x = images
        for conv in self.conv:
            x = F.relu(conv(x))
        x = x.flatten(2).transpose(1, 2)
        if self.text_project is None:
            return self.project(x) + self.image_position
        text = images
        for conv in self.text_conv:
            text = F.relu(conv(text))
        return self.project(x) + self.text_project(text.flatten(2).transpose(1, 2)) + self.image_position

    def cell_loss(self, image_tokens, shapes, colours):
        flat = image_tokens.reshape(-1, image_tokens.shape[-1])
        loss = (F.cross_entropy(self.cell_shape(flat), shapes, ignore_index=-1)
                + F.cross_entropy(self.cell_colour(flat), colours, ignore_index=-1))
        if self.cell_size is not None:
            # Random size and texture classes in the same cells as the shapes (timing only).
            loss = loss + F.cross_entropy(self.cell_size(flat), shapes.clamp(max=2), ignore_index=-1)
            loss = loss + F.cross_entropy(self.cell_texture(flat), shapes.clamp(max=3), ignore_index=-1)
        if self.attribute_summary:
            loss = loss + F.cross_entropy(self.cell_object(flat), (shapes >= 0).long())
        if self.cell_words:
            # Random words in the same cells as the shapes, and signs where the colour is 0 (timing only).
            words = torch.where(shapes >= 0, shapes * 7 % self.cell_words, shapes)
            if self.spelled:
                letters = torch.where(words.unsqueeze(1) >= 0, (words.unsqueeze(1) + torch.arange(6)) % 27, -1)
                loss = loss + F.cross_entropy(self.cell_word(flat).reshape(-1, 27), letters.reshape(-1), ignore_index=-1)
            else:
                loss = loss + F.cross_entropy(self.cell_word(flat), words, ignore_index=-1)
            loss = loss + F.cross_entropy(self.cell_sign(flat), (colours == 0).long())
        return 0.5 * loss

    def answer_logits(self, image_tokens, tokens, mask):
        q = self.question_vector(tokens, mask)
        gain = (self.scale(q) + 1).unsqueeze(1)
        bias = self.shift(q).unsqueeze(1)
        normalised = self.image_norm(image_tokens)
        features = normalised
        if self.expand is not None:
            features = self.expand(features)
        x = self.mix(F.relu(features * gain + bias))
        for block in self.blocks:
            x = block(x, None)
        x = self.norm(x)
        strongest = x.max(dim=1).values
        pooled = [x.mean(1), strongest, q]
        if len(self.readouts):
            query = q.unsqueeze(1)
            for norm, attention in zip(self.readout_norms, self.readouts):
                h = norm(query)
                query = query + attention(h, x, x, need_weights=False)[0]
            pooled.append(query.squeeze(1))
        hidden = self.hidden(torch.cat(pooled, dim=1))
        if self.match_heads:
            hidden = hidden + self.match_project(self.match_scores(q, normalised))
        if self.attribute_summary:
            reading = self.cell_reading(image_tokens)
            tables = self.attribute_tables(reading)
            b = q.shape[0]
            summary = 0.25 * torch.cat([t.reshape(b, -1) for t in tables], 1)
            hidden = (hidden + self.attribute_project(summary * (self.attribute_gate(q) + 1))
                      + self.asked_project(self.asked_attributes(tables, q)))
            if self.object_pairs:
                subject_fit = self.fit(reading, q, self.question_shape, self.question_colour, self.subject_size)
                features = self.pair_features(reading, tables, q, subject_fit)
                hidden = hidden + self.pair_project(features * (self.pair_gate(q) + 1))
                if self.cell_words:
                    return self.answer(F.relu(hidden)) + self.written_word_scores(image_tokens, subject_fit, q)
        return self.answer(F.relu(hidden))

    def written_word_scores(self, image_tokens, fit, q):
        b, n, w = image_tokens.shape
        flat = image_tokens.reshape(-1, w)
        scores = self.cell_word(flat)
        if self.spelled:
            letters = torch.log(F.softmax(scores.reshape(-1, 6, 27), -1) + 1e-6).reshape(-1, 6 * 27)
            scores = letters @ self.spelling
        written = F.softmax(scores, -1).reshape(b, n, -1)
        sign = F.softmax(self.cell_sign(flat), -1).reshape(b, n, 2)[:, :, 1:]
        tables = torch.cat([fit, sign], 2).transpose(1, 2) @ written
        scores = 8 * (self.words_gate(q).unsqueeze(1) @ tables).squeeze(1)
        return F.pad(scores, (self.answer_count - self.cell_words, 0))

    def question_vector(self, tokens, mask):
        q = self.question_norm(self.question_block(self.token(tokens) + self.token_position, ~mask))
        weights = mask.unsqueeze(-1).float()
        return (q * weights).sum(1) / weights.sum(1)

    def cell_reading(self, image_tokens):
        b, n, w = image_tokens.shape
        flat = image_tokens.reshape(-1, w)
        def probabilities(head):
            return F.softmax(head(flat), -1).reshape(b, n, -1)
        return {"occupied": probabilities(self.cell_object)[:, :, 1:], "shape": probabilities(self.cell_shape),
                "colour": probabilities(self.cell_colour), "size": probabilities(self.cell_size),
                "texture": probabilities(self.cell_texture)}

    def attribute_tables(self, r):
        def weighted(p):
            return (p * r["occupied"]).transpose(1, 2)
        shapes = weighted(r["shape"])
        return [shapes @ self.place, weighted(r["colour"]) @ self.place, weighted(r["size"]) @ self.place,
                weighted(r["texture"]) @ self.place, shapes @ r["colour"], shapes @ r["size"], shapes @ r["texture"]]

    def fit(self, r, q, shape_head, colour_head, size_head):
        b, n, _ = r["shape"].shape
        ones = torch.ones(b, n, 1)
        def match(p, head):
            return torch.cat([p, ones], 2) @ F.softmax(head(q), -1).unsqueeze(2)
        return (r["occupied"] * match(r["shape"], shape_head) * match(r["colour"], colour_head)
                * match(r["size"], size_head))

    def pair_features(self, r, tables, q, subject_fit):
        b = q.shape[0]
        def summary(fit):
            fit = fit.transpose(1, 2)
            return fit @ self.place, fit @ r["colour"], fit @ r["size"]
        subject = summary(subject_fit)
        other = summary(self.fit(r, q, self.other_shape, self.other_colour, self.other_size))
        difference = subject[0][:, :, 1:] - other[0][:, :, 1:]
        relative = tables[0][:, :, 1:] - tables[0][:, :, :1] @ subject[0][:, :, 1:]
        parts = [*subject, *other, difference, difference * difference, subject[1] @ other[1].transpose(1, 2),
                 subject[2].transpose(1, 2) @ other[2], relative]
        return torch.cat([p.reshape(b, -1) for p in parts], 1)

    def asked_attributes(self, tables, q):
        shape_stats, colour_stats, _, _, shape_colours, shape_sizes, shape_textures = tables
        shape = F.softmax(self.question_shape(q), -1)[:, :8].unsqueeze(1)
        colour = F.softmax(self.question_colour(q), -1)[:, :8].unsqueeze(1)
        asked_colours = shape @ shape_colours
        parts = [shape @ shape_stats, asked_colours, shape @ shape_sizes, shape @ shape_textures,
                 colour @ colour_stats, colour @ shape_colours.transpose(1, 2), asked_colours @ colour.transpose(1, 2)]
        return torch.cat([p.squeeze(1) for p in parts], 1)

    def subject_loss(self, tokens, mask, shapes, colours, sizes):
        q = self.question_vector(tokens, mask)
        terms = [F.cross_entropy(self.question_shape(q), shapes), F.cross_entropy(self.question_colour(q), colours)]
        if self.object_pairs:
            # Random targets (timing only): the subject's size, the other object's shape, colour and size.
            terms += [F.cross_entropy(self.subject_size(q), sizes), F.cross_entropy(self.other_shape(q), shapes),
                      F.cross_entropy(self.other_colour(q), colours), F.cross_entropy(self.other_size(q), sizes)]
        return sum(terms) / len(terms)

    def match_scores(self, q, tokens):
        b, n, _ = tokens.shape
        queries = self.match_query(q).reshape(b, self.match_heads, 1, MATCH_HEAD_WIDTH)
        keys = self.match_key(tokens).reshape(b, n, self.match_heads, MATCH_HEAD_WIDTH).permute(0, 2, 3, 1)
        scores = (queries @ keys).squeeze(2) / MATCH_HEAD_WIDTH ** 0.5
        return torch.cat([scores.max(dim=2).values, F.relu(scores).sum(2)], dim=1)

    def contrastive_loss(self, image_tokens, captions, caption_mask):
        image = F.normalize(self.image_embedding(image_tokens.mean(1)), dim=-1)
        c = self.token(captions) + self.caption_position
        c = self.caption_norm(self.caption_block(c, ~caption_mask))
        weights = caption_mask.unsqueeze(-1).float()
        text = F.normalize(self.caption_embedding((c * weights).sum(1) / weights.sum(1)), dim=-1)
        logits = image @ text.t() / 0.07
        target = torch.arange(logits.shape[0])
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2


def main():
    p = argparse.ArgumentParser()
    for name, default in [("batch", 32), ("image", 64), ("width", 128), ("heads", 4), ("layers", 1), ("tokens", 24),
                          ("caption-tokens", 16), ("vocabulary", 400), ("answers", 500), ("embedding", 64),
                          ("steps", 20), ("threads", 2), ("readout-hops", 0), ("fusion-hidden", 0),
                          ("cell-size-texture", 0), ("downsample-first", 0), ("match-heads", 0),
                          ("attribute-summary", 0), ("object-pairs", 0), ("cell-words", 0), ("spelled-words", 0)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--channels", default="16,32,64,128")
    p.add_argument("--text-channels", default="")
    p.add_argument("--contrastive-weight", type=float, default=0.5)
    a = p.parse_args()
    a.channels = [int(x) for x in a.channels.split(",")]
    a.text_channels = [int(x) for x in a.text_channels.split(",") if x]
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = ZooNet(a)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    images = torch.randn(a.batch, 3, a.image, a.image)
    tokens = torch.randint(2, a.vocabulary, (a.batch, a.tokens))
    mask = torch.ones(a.batch, a.tokens, dtype=torch.bool)
    mask[:, a.tokens // 2:] = False  # half the question positions are padding, as typical questions are short
    captions = torch.randint(2, a.vocabulary, (a.batch, a.caption_tokens))
    caption_mask = torch.ones(a.batch, a.caption_tokens, dtype=torch.bool)
    caption_mask[:, a.caption_tokens // 2:] = False
    answers = torch.randint(0, a.answers, (a.batch,))
    cells = grid_side(a) ** 2
    cell_shapes = torch.full((a.batch * cells,), -1, dtype=torch.long)
    cell_shapes[::16] = torch.randint(0, 8, (cell_shapes[::16].shape[0],))
    cell_colours = torch.full((a.batch * cells,), -1, dtype=torch.long)
    cell_colours[::16] = torch.randint(0, 8, (cell_colours[::16].shape[0],))
    subject_shapes = torch.randint(0, 9, (a.batch,))
    subject_colours = torch.randint(0, 9, (a.batch,))
    subject_sizes = torch.randint(0, 4, (a.batch,))

    def step():
        optimiser.zero_grad(set_to_none=True)
        image_tokens = model.image_tokens(images)
        loss = F.cross_entropy(model.answer_logits(image_tokens, tokens, mask), answers)
        loss = loss + model.cell_loss(image_tokens, cell_shapes, cell_colours)
        if a.attribute_summary:
            loss = loss + model.subject_loss(tokens, mask, subject_shapes, subject_colours, subject_sizes)
        loss = loss + a.contrastive_weight * model.contrastive_loss(image_tokens, captions, caption_mask)
        loss.backward()
        optimiser.step()

    def infer():
        with torch.no_grad():
            model.answer_logits(model.image_tokens(images), tokens, mask).softmax(-1)

    time_and_report(model, step, infer, a.steps)


if __name__ == "__main__":
    main()
