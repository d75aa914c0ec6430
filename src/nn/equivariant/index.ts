/**
 * Group equivariance: finite groups from generators, Reynolds operators and
 * invariant subspaces (through the LAPACK eigensolver), orbit bases of
 * equivariant linear maps, equivariant layers and invariant pooling.
 */
export {
  MatrixGroup, PermutationGroup, composePermutations, invertPermutation, permutationMatrix, type FiniteGroup,
} from './group';
export { fixedBasis, intersectSubspaces, invariantBasis, isInvariant, projectionResidual, reynoldsOperator } from './subspace';
export { dihedralGroup, flipGroup, flipPermutation, rotateImages, rotationGroup, rotationPermutation } from './images';
export {
  actOnRows, directSum, representationElements, rotationRep, rowActionIndex, trivialRep, type PermRep,
} from './representation';
export { orbitBasisMatrix, pairOrbits, pointOrbits, type Orbits, type PairOrbits } from './orbits';
export { EquivariantLinear, type EquivariantBias, type EquivariantLinearOptions } from './linear';
export { AttentionPool, OrbitMeanPool } from './pooling';
