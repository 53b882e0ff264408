namespace PetSeg.Training.Augmentation;

/// <summary>
/// albumentations 2.x affine matrices in pixel coordinates (x right, y down): M = C·T·R·S·C⁻¹ with the centre
/// c = (W/2 − 0.5, H/2 − 0.5), so <c>x' = R·S·(x − c) + c + t</c>. A positive angle turns the picture
/// counter-clockwise on screen. Matrices are row-major 3×3.
/// </summary>
public static class AffineMatrix
{
    public static double[,] ShiftScaleRotate(int width, int height, double angleDegrees, double scaleX, double scaleY, double tx, double ty)
    {
        double cx = width / 2.0 - 0.5, cy = height / 2.0 - 0.5;
        double theta = (angleDegrees % 360 + 360) % 360 * Math.PI / 180;
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        // R·S = [[cos·sx, sin·sy], [−sin·sx, cos·sy]]
        double a = cos * scaleX, b = sin * scaleY, c = -sin * scaleX, d = cos * scaleY;
        return new double[,]
        {
            { a, b, cx + tx - a * cx - b * cy },
            { c, d, cy + ty - c * cx - d * cy },
            { 0, 0, 1 },
        };
    }

    public static double[,] Invert(double[,] m)
    {
        double a = m[0, 0], b = m[0, 1], c = m[1, 0], d = m[1, 1], e = m[0, 2], f = m[1, 2];
        double det = a * d - b * c;
        if (Math.Abs(det) < 1e-12) throw new ArgumentException("affine matrix is not invertible");
        double ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
        return new double[,] { { ia, ib, -(ia * e + ib * f) }, { ic, id, -(ic * e + id * f) }, { 0, 0, 1 } };
    }

    public static double[,] Multiply(double[,] x, double[,] y)
    {
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++) r[i, j] += x[i, k] * y[k, j];
        return r;
    }

    /// <summary>
    /// The 2×3 <c>theta</c> for <c>affine_grid(align_corners: false)</c> that samples <c>dst(x,y) = src(M⁻¹·(x,y))</c>,
    /// i.e. what <c>cv2.warpAffine(src, M)</c> computes: N·M⁻¹·N⁻¹ with N mapping pixels to [−1, 1].
    /// </summary>
    public static float[] GridTheta(double[,] forward, int width, int height)
    {
        var n = new double[,] { { 2.0 / width, 0, 1.0 / width - 1 }, { 0, 2.0 / height, 1.0 / height - 1 }, { 0, 0, 1 } };
        var nInv = Invert(n);
        var t = Multiply(Multiply(n, Invert(forward)), nInv);
        return [(float)t[0, 0], (float)t[0, 1], (float)t[0, 2], (float)t[1, 0], (float)t[1, 1], (float)t[1, 2]];
    }
}
