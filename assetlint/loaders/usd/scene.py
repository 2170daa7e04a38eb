"""The composed stage to the model: prims to nodes with their world transforms, and
UsdPreviewSurface materials with their textures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assetlint.loaders._refs import RefusedReference
from assetlint.loaders.usd.layers import package_member, vet_asset
from assetlint.loaders.usd.mesh import MeshReader
from assetlint.model import Asset, Material, Mesh, Node, Texture, TextureSlot

# UsdPreviewSurface input -> texture role in the model.
_TEXTURE_ROLES = {
    "diffuseColor": "base_color",
    "normal": "normal",
    "roughness": "metallic_roughness",
    "metallic": "metallic_roughness",
    "occlusion": "occlusion",
    "emissiveColor": "emissive",
}

# UsdPreviewSurface fallbacks (its spec), used when an input is not authored.
_PREVIEW_DEFAULTS: dict[str, Any] = {
    "diffuseColor": (0.18, 0.18, 0.18),
    "emissiveColor": (0.0, 0.0, 0.0),
    "metallic": 0.0,
    "roughness": 0.5,
    "opacity": 1.0,
    "opacityThreshold": 0.0,
    "useSpecularWorkflow": 0,
}

# UsdUVTexture single-channel outputs -> index into its scale.
_CHANNELS = {"r": 0, "g": 1, "b": 2, "a": 3}


class SceneReader:
    """Walks the composed stage: nodes, meshes (shared by instances), materials."""

    def __init__(self, stage: Any, asset: Asset):
        from pxr import Usd, UsdGeom

        self.stage = stage
        self.asset = asset
        self.time = Usd.TimeCode.EarliestTime()
        self.xforms = UsdGeom.XformCache(self.time)
        self.mesh_index: dict[str, int] = {}  # prim (or prototype prim) path -> mesh
        self.material_index: dict[str, int] = {}
        self.texture_index: dict[str, int] = {}
        self.node_index: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self.mesh_prims: dict[int, Any] = {}  # mesh -> the prim it was read from
        # material -> texture role -> the UV set name its primvar reader asks for
        self.texture_uv_names: dict[str, dict[str, str | None]] = {}

    # nodes

    def read(self) -> None:
        from pxr import Usd, UsdGeom

        predicate = Usd.TraverseInstanceProxies(Usd.PrimDefaultPredicate)
        prims = iter(Usd.PrimRange(self.stage.GetPseudoRoot(), predicate))
        next(prims)  # the pseudo-root
        for prim in prims:
            imageable = UsdGeom.Imageable(prim)
            if imageable:
                visibility = imageable.GetVisibilityAttr().Get(self.time)
                purpose = imageable.GetPurposeAttr().Get()
                if visibility == "invisible" or purpose == "guide":
                    prims.PruneChildren()
                    self._skip("invisible or guide-purpose prims skipped with their children")
                    continue
            if not prim.IsA(UsdGeom.Xformable):
                continue
            node = self._add_node(prim)
            if prim.IsA(UsdGeom.Mesh):
                self.asset.nodes[node].mesh = self._mesh_for(prim)
            elif prim.IsA(UsdGeom.PointInstancer):
                self._point_instancer(prim, node)
                prims.PruneChildren()
            elif prim.IsA(UsdGeom.Gprim):
                self._skip(f"{prim.GetTypeName()} prims not read (only Mesh geometry is)")
        self._resolve_materials()
        for what, count in self.skipped.items():
            self.asset.issue("L004", f"{count} {what}", "info")

    def _skip(self, what: str) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + 1

    def _world(self, prim: Any) -> np.ndarray:
        return np.array(self.xforms.GetLocalToWorldTransform(prim), dtype=np.float64).T

    def _add_node(self, prim: Any) -> int:
        world = self._world(prim)
        parent = self._parent_node(prim)
        local = world if parent is None else _relative(self.asset.nodes[parent].world, world)
        index = len(self.asset.nodes)
        self.asset.nodes.append(
            Node(name=str(prim.GetPath()), local=local, world=world, parent=parent)
        )
        if parent is not None:
            self.asset.nodes[parent].children.append(index)
        self.node_index[str(prim.GetPath())] = index
        return index

    def _parent_node(self, prim: Any) -> int | None:
        parent = prim.GetParent()
        while parent and not parent.IsPseudoRoot():
            found = self.node_index.get(str(parent.GetPath()))
            if found is not None:
                return found
            parent = parent.GetParent()
        return None

    def _point_instancer(self, prim: Any, node: int) -> None:
        """One node per (instance, mesh of its prototype), children of the instancer."""
        from pxr import Usd, UsdGeom

        instancer = UsdGeom.PointInstancer(prim)
        targets = instancer.GetPrototypesRel().GetTargets()
        proto_indices = instancer.GetProtoIndicesAttr().Get(self.time)
        if not targets or proto_indices is None or len(proto_indices) == 0:
            return
        transforms = instancer.ComputeInstanceTransformsAtTime(self.time, self.time)
        if transforms is None or len(transforms) != len(proto_indices):
            self.asset.issue(
                "L005", "point instancer data is inconsistent", subject=str(prim.GetPath())
            )
            return
        # (N, 4, 4) column-convention instance matrices relative to the instancer
        matrices = np.transpose(np.asarray(transforms, dtype=np.float64), (0, 2, 1))
        proto_indices = np.asarray(proto_indices)
        instancer_world = self.asset.nodes[node].world
        to_instancer = _inverse(instancer_world)
        predicate = Usd.TraverseInstanceProxies(Usd.PrimDefaultPredicate)
        for proto_number, target in enumerate(targets):
            proto = self.stage.GetPrimAtPath(target)
            chosen = np.nonzero(proto_indices == proto_number)[0]
            if not proto or not len(chosen):
                continue
            base = _inverse(self._world(proto.GetParent())) if proto.GetParent() else np.eye(4)
            for mesh_prim in Usd.PrimRange(proto, predicate):
                if not mesh_prim.IsA(UsdGeom.Mesh):
                    continue
                mesh = self._mesh_for(mesh_prim)
                relative = base @ self._world(mesh_prim)
                worlds = instancer_world @ matrices[chosen] @ relative
                locals_ = to_instancer @ worlds
                for instance, world, local in zip(chosen, worlds, locals_, strict=True):
                    index = len(self.asset.nodes)
                    self.asset.nodes.append(
                        Node(
                            name=f"{prim.GetPath()}[{instance}]{mesh_prim.GetPath()}",
                            local=local,
                            world=world,
                            parent=node,
                            mesh=mesh,
                        )
                    )
                    self.asset.nodes[node].children.append(index)

    # meshes

    def _mesh_for(self, prim: Any) -> int:
        """The mesh of a Mesh prim, read once per prim or per instancing prototype."""
        key = str(prim.GetPrimInPrototype().GetPath() if prim.IsInstanceProxy() else prim.GetPath())
        found = self.mesh_index.get(key)
        if found is not None:
            return found
        mesh = MeshReader(prim, self.time, self.asset).read()
        index = len(self.asset.meshes)
        self.asset.meshes.append(mesh)
        self.mesh_index[key] = index
        self.mesh_prims[index] = prim
        return index

    # materials

    def _resolve_materials(self) -> None:
        from pxr import UsdGeom

        for mesh_number, prim in self.mesh_prims.items():
            mesh = self.asset.meshes[mesh_number]
            faces = mesh.cache.pop("usd_triangle_faces")
            face_count = mesh.cache.pop("usd_face_count")
            per_face = np.full(face_count, self._material(prim), dtype=np.int32)
            subsets = UsdGeom.Subset.GetGeomSubsets(
                UsdGeom.Imageable(prim), UsdGeom.Tokens.face, "materialBind"
            )
            for subset in subsets:
                material = self._material(subset.GetPrim())
                indices = np.asarray(subset.GetIndicesAttr().Get(self.time) or [], dtype=np.int64)
                bad = (indices < 0) | (indices >= face_count)
                if bad.any():
                    self.asset.issue(
                        "L005",
                        f"GeomSubset {subset.GetPrim().GetName()} names {int(bad.sum())} "
                        "faces the mesh does not have",
                        subject=mesh.name,
                    )
                per_face[indices[~bad]] = material
            mesh.material_indices = per_face[faces] if len(faces) else per_face[:0]
            double_sided = bool(UsdGeom.Mesh(prim).GetDoubleSidedAttr().Get())
            for material_number in np.unique(mesh.material_indices):
                if material_number < 0:
                    continue
                material = self.asset.materials[material_number]
                material.double_sided = material.double_sided or double_sided
                self._check_uv_sets(material, mesh)

    def _material(self, prim: Any) -> int:
        from pxr import UsdShade

        bound, _ = UsdShade.MaterialBindingAPI(prim).ComputeBoundMaterial(UsdShade.Tokens.preview)
        if not bound:
            return -1
        key = str(bound.GetPath())
        found = self.material_index.get(key)
        if found is None:
            found = len(self.asset.materials)
            self.asset.materials.append(self._read_material(bound))
            self.material_index[key] = found
        return found

    def _read_material(self, material: Any) -> Material:
        from pxr import UsdShade

        result = Material(name=str(material.GetPath()))
        shader = material.ComputeSurfaceSource("")[0]
        shader_id = shader.GetIdAttr().Get() if shader else None
        if shader_id != "UsdPreviewSurface":
            result.workflow = "unknown"
            self.asset.issue(
                "L004",
                f"material {material.GetPrim().GetName()} has no UsdPreviewSurface "
                f"({shader_id or 'no surface shader'}); its inputs are not read",
                severity="info",
                subject=result.name,
            )
            return result
        values: dict[str, Any] = {}
        textures: dict[str, tuple[int, str | None, Any]] = {}
        for name, fallback in _PREVIEW_DEFAULTS.items():
            values[name] = fallback
        for name in list(_PREVIEW_DEFAULTS) + ["normal", "occlusion"]:
            shader_input = shader.GetInput(name)
            if not shader_input:
                continue
            for attr in shader_input.GetValueProducingAttributes():
                if UsdShade.Output.IsOutput(attr):
                    texture = self._texture_from_output(attr, result.name)
                    if texture is not None:
                        textures[name] = texture
                else:
                    value = attr.Get(self.time)
                    if value is not None:
                        values[name] = value
                break
        color = np.array(values["diffuseColor"], dtype=np.float32)
        factors = {name: texture[2] for name, texture in textures.items()}
        if "diffuseColor" in factors:
            color = factors["diffuseColor"]
        opacity = float(factors.get("opacity", values["opacity"]))
        result.base_color_factor = np.append(color, np.float32(opacity)).astype(np.float32)
        result.metallic_factor = float(factors.get("metallic", values["metallic"]))
        result.roughness_factor = float(factors.get("roughness", values["roughness"]))
        result.emissive_factor = np.array(
            factors.get("emissiveColor", values["emissiveColor"]), dtype=np.float32
        )
        threshold = float(values["opacityThreshold"])
        if threshold > 0:
            result.alpha_mode, result.alpha_cutoff = "MASK", threshold
        elif float(values["opacity"]) < 1.0 or "opacity" in textures:
            result.alpha_mode = "BLEND"
        if int(values["useSpecularWorkflow"]):
            result.workflow = "spec-gloss"
        uv_names = {}
        for name, role in _TEXTURE_ROLES.items():
            if name in textures and role not in result.textures:
                texture_number, varname, _ = textures[name]
                result.textures[role] = TextureSlot(texture=texture_number)
                uv_names[role] = varname
        self.texture_uv_names[result.name] = uv_names
        return result

    def _texture_from_output(self, output_attr: Any, material_name: str) -> Any:
        """(texture index, UV set name, factor) for a UsdUVTexture feeding an input; the
        factor is the texture's scale for the channel(s) the input reads."""
        from pxr import UsdShade

        shader = UsdShade.Shader(output_attr.GetPrim())
        if not shader or shader.GetIdAttr().Get() != "UsdUVTexture":
            return None
        file_input = shader.GetInput("file")
        if not file_input:
            return None
        file_attrs = file_input.GetValueProducingAttributes()
        file_attr = file_attrs[0] if file_attrs else file_input.GetAttr()
        texture = self._texture(file_attr, material_name)
        if texture is None:
            return None
        scale = np.ones(4, dtype=np.float32)
        scale_input = shader.GetInput("scale")
        if scale_input and scale_input.Get(self.time) is not None:
            scale = np.array(scale_input.Get(self.time), dtype=np.float32)
        channel = output_attr.GetBaseName()  # r, g, b, a or rgb
        factor = scale[_CHANNELS[channel]] if channel in _CHANNELS else scale[:3]
        return texture, self._uv_name(shader), factor

    def _uv_name(self, texture_shader: Any) -> str | None:
        """The primvar the texture's st input reads (through a UsdPrimvarReader)."""
        from pxr import UsdShade

        st_input = texture_shader.GetInput("st")
        if not st_input:
            return None
        for attr in st_input.GetValueProducingAttributes():
            if not UsdShade.Output.IsOutput(attr):
                continue
            reader = UsdShade.Shader(attr.GetPrim())
            varname = reader.GetInput("varname") if reader else None
            if not varname:
                return None
            for value_attr in varname.GetValueProducingAttributes():
                value = value_attr.Get(self.time)
                if value is not None:
                    return str(value)
        return None

    def _texture(self, file_attr: Any, material_name: str) -> int | None:
        """The texture an asset-valued input names, resolved against the layer that
        authored it, confined to the asset folder; read from the package for usdz."""
        from pxr import Ar

        value = file_attr.Get(self.time)
        if value is not None and not isinstance(getattr(value, "path", None), str):
            self.asset.issue(
                "L005",
                f"material {material_name}: {file_attr.GetName()} is not an asset path; ignored",
                subject=material_name,
            )
            return None
        if value is None or not value.path:
            return None
        uri = value.path
        layer = _authoring_layer(file_attr, self.time)
        root_dir = self.asset.path.parent.resolve()
        name = Path(uri.replace("\\", "/")).name or uri
        try:
            if layer is None:
                raise RefusedReference("L002", f"{uri!r}: no layer authors it")
            if "<UDIM>" in uri:
                raise RefusedReference("L003", f"{uri!r} is a UDIM set, not read")
            identifier = vet_asset(layer, uri, root_dir)
            key = identifier
            if key in self.texture_index:
                return self.texture_index[key]
            if Ar.IsPackageRelativePath(identifier):
                outer, inner = Ar.SplitPackageRelativePathOuter(identifier)
                data = package_member(outer, inner)
                texture = Texture.from_bytes(name, "embedded", bytes(data), uri=uri)
            else:
                texture = Texture.from_file(name, Path(identifier), uri=uri)
        except RefusedReference as exc:
            key = f"missing:{uri}"
            if key in self.texture_index:
                return self.texture_index[key]
            self.asset.issue(exc.code, f"texture {exc}", subject=material_name)
            texture = Texture.missing_texture(name, uri, str(exc))
        self.texture_index[key] = len(self.asset.textures)
        self.asset.textures.append(texture)
        return self.texture_index[key]

    def _check_uv_sets(self, material: Material, mesh: Mesh) -> None:
        """Point each texture slot at the UV set its reader names; warn when the mesh
        does not have that set."""
        wanted = self.texture_uv_names.get(material.name, {})
        for role, slot in material.textures.items():
            varname = wanted.get(role)
            if varname is None:
                continue
            if varname in mesh.uv_names:
                slot.uv_set = mesh.uv_names.index(varname)
            else:
                self.asset.issue(
                    "L005",
                    f"material {material.name} samples UV set {varname!r} which mesh "
                    f"{mesh.name} does not have",
                    subject=mesh.name,
                )


def _authoring_layer(attr: Any, time: Any) -> Any:
    """The layer whose opinion gives the attribute its value (asset paths are relative
    to it)."""
    for spec in attr.GetPropertyStack(time):
        if spec.HasDefaultValue() or spec.layer.ListTimeSamplesForPath(spec.path):
            return spec.layer
    return None


def _relative(parent_world: np.ndarray, world: np.ndarray) -> np.ndarray:
    return _inverse(parent_world) @ world


def _inverse(matrix: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(matrix)
