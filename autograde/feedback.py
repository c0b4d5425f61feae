"""A feedback preprocessor: error tracebacks in test cells quote the cell's code, hidden
tests included, so feedback keeps only the error's name and message."""

from nbgrader.preprocessors import NbGraderPreprocessor


class ScrubTracebacks(NbGraderPreprocessor):  # enabled by default, unlike nbconvert's
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
