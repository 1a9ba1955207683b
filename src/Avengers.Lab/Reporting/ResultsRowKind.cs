namespace Avengers.Reporting;

/// <summary>What a row of the results table is.</summary>
public enum ResultsRowKind { Model, Reference, BestSingle, Random, LabelRouter, Avengers, Oracle }
