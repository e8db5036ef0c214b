"""Reference for Augmentation: torchvision's tensor rotate/affine, then the MNIST normalisation.

Debian has no python3-torchvision, so the functions torchvision 0.14 (the release for torch 1.13) runs
for F.rotate / F.affine on a float tensor with bilinear interpolation and fill=[0.0] (what RandomRotation
and RandomAffine pass by default) are restated below on torch alone, keeping their arithmetic: the inverse
matrix in pixel coordinates, a pixel-centred base grid divided by half the size (not affine_grid), and the
fill blended through a sampled mask of ones. Augmentation computes the same thing differently (affine_grid
on a normalised theta, the fill shifted through zero padding), so agreement checks the geometry.

argv: in.safetensors out.safetensors fixed
      in.safetensors out.safetensors random seed degrees translate min_scale max_scale
Inputs: images, unnormalised on [0, 1], float32 [N, C, H, W]; for "fixed" also angles [N] (degrees,
counter-clockwise), translations [N, 2] (pixels) and scales [N], float64.
"random" draws the parameters as Augmentation.Apply does: torch.rand float64 after manual_seed, angles
then translations then scales, each only when its range is not empty.
Output: y = (affine(images) - mean) / std, float32.
"""
import math
import sys

import torch
from torch.nn.functional import grid_sample

import st

MEAN, STD = 0.1307, 0.3081


def get_inverse_affine_matrix(angle, translate, scale):
    # torchvision.transforms.functional._get_inverse_affine_matrix with centre [0, 0] and no shear.
    rot = math.radians(angle)
    a, b, c, d = math.cos(rot), -math.sin(rot), math.sin(rot), math.cos(rot)
    matrix = [d, -b, 0.0, -c, a, 0.0]
    matrix = [x / scale for x in matrix]
    tx, ty = translate
    matrix[2] += matrix[0] * (-tx) + matrix[1] * (-ty)
    matrix[5] += matrix[3] * (-tx) + matrix[4] * (-ty)
    return matrix


def gen_affine_grid(theta, w, h, ow, oh):
    # torchvision.transforms.functional_tensor._gen_affine_grid
    d = 0.5
    base_grid = torch.empty(1, oh, ow, 3, dtype=theta.dtype)
    x_grid = torch.linspace(-ow * 0.5 + d, ow * 0.5 + d - 1, steps=ow)
    base_grid[..., 0].copy_(x_grid)
    y_grid = torch.linspace(-oh * 0.5 + d, oh * 0.5 + d - 1, steps=oh).unsqueeze_(-1)
    base_grid[..., 1].copy_(y_grid)
    base_grid[..., 2].fill_(1)
    rescaled_theta = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)
    output_grid = base_grid.view(1, oh * ow, 3).bmm(rescaled_theta)
    return output_grid.view(1, oh, ow, 2)


def apply_grid_transform(img, grid, fill):
    # torchvision.transforms.functional_tensor._apply_grid_transform, bilinear, fill given.
    mask = torch.ones((img.shape[0], 1, img.shape[2], img.shape[3]), dtype=img.dtype)
    img = torch.cat((img, mask), dim=1)
    img = grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    mask = img[:, -1:, :, :]
    img = img[:, :-1, :, :]
    mask = mask.expand_as(img)
    fill_img = torch.tensor(fill, dtype=img.dtype).view(1, len(fill), 1, 1).expand_as(img)
    return img * mask + (1.0 - mask) * fill_img


def affine(img, angle, translate, scale):
    # F.rotate(img, angle) is F_t.rotate with _get_inverse_affine_matrix(centre, -angle, ...): the same
    # matrix as F.affine(img, -angle, translate, scale, shear=0), which is what this computes.
    matrix = get_inverse_affine_matrix(-angle, translate, scale)
    h, w = img.shape[-2:]
    theta = torch.tensor(matrix, dtype=img.dtype).reshape(1, 2, 3)
    grid = gen_affine_grid(theta, w=w, h=h, ow=w, oh=h)
    return apply_grid_transform(img, grid, [0.0] * img.shape[1])


def uniform(shape, low, high):
    return torch.rand(shape, dtype=torch.float64) * (high - low) + low


inputs = st.load(sys.argv[1])
images = inputs["images"]
n, _, h, w = images.shape
if sys.argv[3] == "fixed":
    angles, translations, scales = inputs["angles"], inputs["translations"], inputs["scales"]
else:
    seed = int(sys.argv[4])
    degrees, translate, min_scale, max_scale = (float(a) for a in sys.argv[5:9])
    torch.manual_seed(seed)
    angles = uniform([n], -degrees, degrees) if degrees > 0 else torch.zeros(n, dtype=torch.float64)
    if translate > 0:
        translations = uniform([n, 2], -translate, translate) * torch.tensor([[float(w), float(h)]], dtype=torch.float64)
    else:
        translations = torch.zeros(n, 2, dtype=torch.float64)
    scales = uniform([n], min_scale, max_scale) if max_scale > min_scale else torch.full([n], min_scale, dtype=torch.float64)

out = torch.cat([
    affine(images[i:i + 1], angles[i].item(), [translations[i, 0].item(), translations[i, 1].item()], scales[i].item())
    for i in range(n)
])
st.save({"y": out.sub(MEAN).div(STD), "angles": angles, "translations": translations, "scales": scales}, sys.argv[2])
